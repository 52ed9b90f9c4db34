"""The compiled graph: the stored facts and the rules' scenario as columns, built once per
(data version, rules) and kept in content-addressed files that every command reuses."""
