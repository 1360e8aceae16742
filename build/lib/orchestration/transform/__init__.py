"""Transform: the dbt project as assets (staging -> intermediate -> marts -> reports) and the checks on the marts."""
