-- Every code a reader can meet (code lists, exit groups, age bands, metric keys, goal statuses ...) with its label in
-- Swedish, Danish and English: the seed code_labels, published so that reports and BI tools read one set of labels.
select
    code_list,
    code,
    sv,
    da,
    en
from {{ ref('code_labels') }}
