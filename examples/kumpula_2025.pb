META
key;value
description;Synthetic example: a residents' budget pot for one Helsinki-style district (hand-made, not real ballots)
country;Finland
unit;Helsinki
district;Kumpula
subunit;Kumpula
instance;2025
num_projects;6
num_votes;12
budget;100000
vote_type;approval
rule;greedy
date_begin;01.10.2025
date_end;31.10.2025
min_length;1
max_length;3
currency;EUR
language;fi
comment;"#1: Invented for the asukasbudjetti README: greedy funds K1, K2, K4 and K6 (worked by hand in tests/test_examples.py)."
PROJECTS
project_id;cost;votes;name;selected
K1;45000;8;"Skatepark; lighting and benches";1
K2;30000;7;Community garden;1
K3;40000;6;Outdoor gym;0
K4;15000;5;Library reading corner;1
K5;20000;3;Dog park fence;0
K6;9500.50;2;Bird boxes for the allotments;1
VOTES
voter_id;vote
v01;K1,K2,K3
v02;K1,K2
v03;K1,K3,K4
v04;K1,K2,K4
v05;K2,K3
v06;K1,K3,K5
v07;K1,K2,K6
v08;K2,K4,K5
v09;K1,K3
v10;K4
v11;K1,K3,K5
v12;K2,K4,K6
