"""The fields of a linkage record, in order: what every input of the linkage is read into
(a file's mapped columns, the registry's people). Apart from `linkage` so that reading them
does not load DuckDB into the web processes."""

COLUMNS = (
    "id",
    "given_names",
    "first_surname",
    "second_surname",
    "date_of_birth",
    "dob_estimated",
    "sex",
    "document_type",
    "document_number",
    "phone",
    "area",
    "address",
)
