-- The mobile phone's field is called mobile_phone everywhere the product
-- names fields (forms, the JSON API, errors, required fields), as the
-- integrations it replaces call it; the column keeps its name. A merchant
-- that required "mobile" now requires "mobile_phone".

-- +goose Up
UPDATE merchants SET required_fields = trim(replace(',' || required_fields || ',', ',mobile,', ',mobile_phone,'), ',')
WHERE ',' || required_fields || ',' LIKE '%,mobile,%';

-- +goose Down
UPDATE merchants SET required_fields = trim(replace(',' || required_fields || ',', ',mobile_phone,', ',mobile,'), ',')
WHERE ',' || required_fields || ',' LIKE '%,mobile_phone,%';
