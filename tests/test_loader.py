"""The loader's contract: every bad input gives one located, plain-language message."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import time
from pathlib import Path

import pytest

from projects import CANCER, HEART, write_project
from reportgen.cli import main
from reportgen.errors import InputError
from reportgen.loader import load_project

# (text replaced in the valid group file, its replacement, "line:col: message" of every problem)
BAD_GROUP_FILES = [
    pytest.param('summary: |',
                 'sumary: |',
                 ["14:1: unknown field 'sumary'; did you mean 'summary'?"], id='unknown_key'),
    pytest.param('  status: approved',
                 '  stauts: approved',
                 ["11:3: unknown field 'stauts' in 'edition'; did you mean 'status'?"], id='unknown_nested_key'),
    pytest.param('perspectives: |\n  Perspektiver.\n',
                 '',
                 ["1:1: 'perspectives' is missing; expected: Perspectives (Markdown)."], id='missing_field'),
    pytest.param('example_data: true\n',
                 'example_data: true\nexample_data: false\n',
                 ["9:1: the key 'example_data' appears twice in the same block (first on line 8); keep one of them"], id='duplicate_key'),
    pytest.param('network: Netværket',
                 'network: &n Netværket',
                 ['6:10: an anchor (&n); anchors and aliases are not allowed, write the value out in full'], id='anchor'),
    pytest.param('perspectives: |\n  Perspektiver.\n',
                 'perspectives: *x\n',
                 ['40:15: an alias (*x) refers to another part of the file; aliases are not allowed, write the value out in full'], id='alias'),
    pytest.param('  status: approved',
                 '\tstatus: approved',
                 ['11:1: a tab character; YAML needs spaces here (set your editor to insert spaces for tabs)'], id='tab_indent'),
    pytest.param('  Et kort resumé.',
                 '  Et kort\tresumé.',
                 ['15:10: a tab character; YAML needs spaces here (set your editor to insert spaces for tabs)'], id='tab_in_text'),
    pytest.param('network: Netværket for arvelige hjertesygdomme',
                 'network: !!python/object/apply:os.system [echo hi]',
                 ['6:10: a YAML tag (!!python/object/apply:os.system); tags are not allowed, remove it and write the plain value'], id='python_tag'),
    pytest.param('network: Netværket',
                 'network: !secret Netværket',
                 ['6:10: a YAML tag (!secret); tags are not allowed, remove it and write the plain value'], id='local_tag'),
    pytest.param('region: sjaelland',
                 'region: NO',
                 ["30:32: 'region' is 'NO', which is not a region in reportgen.yaml (hovedstaden, sjaelland)"], id='no_as_region'),
    pytest.param('example_data: true',
                 'example_data: on',
                 ["8:15: 'example_data' is 'on'; write true or false"], id='on_as_bool'),
    pytest.param('patients: 14',
                 'patients: 012',
                 ["29:72: 'statistics.monthly[1].patients' is 012; write the number without a leading zero (12)"], id='leading_zero'),
    pytest.param('patients: 14',
                 'patients: -3',
                 ["29:72: 'statistics.monthly[1].patients' is -3; a count cannot be negative"], id='negative'),
    pytest.param('patients: 14',
                 'patients: 1.5',
                 ["29:72: 'statistics.monthly[1].patients' is 1.5; expected a whole number, without decimals"], id='decimal'),
    pytest.param('patients: 14',
                 'patients: "14"',
                 ["29:72: 'statistics.monthly[1].patients' is the text '14' in quotes; write the number without quotes"], id='quoted_number'),
    pytest.param('patients: 14',
                 'patients: 1.200',
                 ["29:72: 'statistics.monthly[1].patients' is 1.200; write the number without thousands separators: 1200"], id='thousands'),
    pytest.param('patients: 14',
                 'patients: many',
                 ["29:72: 'statistics.monthly[1].patients' is 'many'; expected a whole number (0 or more)"], id='word_count'),
    pytest.param('diagnosed: 4}',
                 'diagnosed: 15}',
                 ["29:133: 'diagnosed' is 15, more than 'patients' (14); diagnosed patients are counted among the patients"], id='diagnosed_gt_patients'),
    pytest.param('patients: 9, analyses: {germline: 9',
                 'patients: 10, analyses: {germline: 9',
                 ["31:72: 'patients' is 10, more than the WGS analyses (germline + somatic + rna = 9); every patient has at least one analysis"], id='patients_gt_analyses'),
    pytest.param('month: 2024-01',
                 'month: 2023-12',
                 ["29:15: 'month' is 2023-12, outside the period of hjerte: from 2024-01 (in operation since 2024-01-15) to 2024-05 (statistics as of 2024-05-31)"], id='month_before_start'),
    pytest.param('month: 2024-05',
                 'month: 2024-06',
                 ["31:15: 'month' is 2024-06, outside the period of hjerte: from 2024-01 (in operation since 2024-01-15) to 2024-05 (statistics as of 2024-05-31); for newer figures, first update 'statistics.as_of' in groups/hjerte.yaml"], id='month_after_asof'),
    pytest.param('month: 2024-02',
                 'month: 2024-13',
                 ["30:15: 'statistics.monthly[2].month' is '2024-13'; expected a month written YYYY-MM, e.g. 2024-05"], id='month_invalid'),
    pytest.param('region: sjaelland',
                 'region: sjalland',
                 ["30:32: 'region' is 'sjalland', which is not a region in reportgen.yaml (hovedstaden, sjaelland); did you mean 'sjaelland'?"], id='unknown_region'),
    pytest.param('indication: HJ2, patients',
                 'indication: HJ3, patients',
                 ["31:57: 'indication' is 'HJ3', which is not one of the indications of hjerte (HJ1, HJ2); did you mean 'HJ2'?"], id='unknown_indication'),
    pytest.param('month: 2024-05, region: hovedstaden, indication: HJ2',
                 'month: 2024-01, region: hovedstaden, indication: HJ1',
                 ['31:7: a second row for hjerte, 2024-01, hovedstaden, HJ1 (the first is on line 29); merge them into one row'], id='duplicate_row'),
    pytest.param('  Et kort resumé.',
                 '  Et kort <script>alert(1)</script> resumé.',
                 ["15:11: raw HTML (<script>) in the text; HTML is not allowed, use Markdown instead (**bold**, *italic*, [link text](https://...)), or write '<' with a space after it", "15:27: raw HTML (</script>) in the text; HTML is not allowed, use Markdown instead (**bold**, *italic*, [link text](https://...)), or write '<' with a space after it"], id='html_script'),
    pytest.param('      Familien blev tilbudt udredning.',
                 '      Familien <img src=x onerror=alert(1)> fik svar.',
                 ["39:16: raw HTML (<img src=x onerror=alert(1)>) in the text; HTML is not allowed, use Markdown instead (**bold**, *italic*, [link text](https://...)), or write '<' with a space after it"], id='html_img'),
    pytest.param('  Perspektiver.',
                 '  Se [her](javascript:alert(1)).',
                 ["41:6: a link starting with 'javascript:'; links may only start with https://, http:// or mailto:"], id='javascript_link'),
    pytest.param('  Perspektiver.',
                 '  ![graf](https://example.org/x.png)',
                 ['41:3: an image (![...](...)); images are not supported in report texts'], id='markdown_image'),
    pytest.param('      Familien blev tilbudt udredning.',
                 '      Drengen med CPR 010203-1234 blev udredt.',
                 ["39:23: '010203-1234' is shaped like a CPR number; patient texts must be anonymised. Remove it, or if it is not a person's number, list it under 'allow_identifiers' with a reason"], id='cpr'),
    pytest.param('      Familien blev tilbudt udredning.',
                 '      Nummer 1012981235 fandtes i journalen.',
                 ["39:14: '1012981235' is shaped like a CPR number; patient texts must be anonymised. Remove it, or if it is not a person's number, list it under 'allow_identifiers' with a reason"], id='cpr_no_hyphen'),
    pytest.param('id: hjerte',
                 'id: hjerter',
                 ["1:5: 'id' is hjerter, but the file is named hjerte.yaml; they must be the same"], id='id_mismatch'),
    pytest.param('category: rare',
                 'category: rar',
                 ["2:11: 'category' is 'rar'; expected one of: rare, cancer; did you mean 'rare'?"], id='category_typo'),
    pytest.param('impact: [diagnosis, family]',
                 'impact: [diagnose, family]',
                 ["35:14: 'cases[1].impact[1]' is 'diagnose'; expected one of: diagnosis, treatment, family, prevention, prognosis; did you mean 'diagnosis'?"], id='impact_typo'),
    pytest.param('impact: [diagnosis, family]',
                 'impact: []',
                 ["35:13: 'cases[1].impact' needs at least 1 item(s), it has 0"], id='impact_empty'),
    pytest.param('impact: [diagnosis, family]',
                 'impact: [family, family]',
                 ["35:22: 'cases[1].impact' lists family twice"], id='impact_twice'),
    pytest.param('  date: 2024-06-28',
                 '  date: 2024-02-30',
                 ["10:9: 'edition.date' is 2024-02-30, which is not a date in the calendar"], id='date_not_in_calendar'),
    pytest.param('in_operation_since: 2024-01-15',
                 'in_operation_since: 15-01-2024',
                 ["7:21: 'in_operation_since' is '15-01-2024'; expected a date written YYYY-MM-DD, e.g. 2024-05-31"], id='date_format'),
    pytest.param('  en: Hereditary heart diseases\n',
                 '',
                 ["4:3: 'name' has no text in en; add 'en: ...'"], id='name_missing_en'),
    pytest.param('  en: Hereditary heart diseases',
                 '  dk: Hereditary heart diseases',
                 ["4:3: 'name' has no text in en; add 'en: ...'", "5:3: 'dk' is not one of the report languages (da, en); did you mean 'da'?"], id='unknown_language'),
    pytest.param('  - code: HJ2',
                 '  - code: HJ1',
                 ['22:11: the indication code HJ1 is used twice; each code must be unique', "31:57: 'indication' is 'HJ2', which is not one of the indications of hjerte (HJ1); did you mean 'HJ1'?"], id='duplicate_code'),
    pytest.param('    indication: HJ1\n    impact',
                 '    indication: HJ9\n    impact',
                 ["34:17: 'indication' is 'HJ9', which is not one of the indications of hjerte (HJ1, HJ2); did you mean 'HJ2'?"], id='case_indication'),
    pytest.param('indications:\n  - code: HJ1',
                 'indications: HJ1\nx:\n  - code: HJ1',
                 ["16:14: 'indications' should be a list (lines starting with '- '), but it is 'HJ1'", "17:1: unknown field 'x'; expected one of: id, category, name, network, in_operation_since, example_data, edition, summary, indications, statistics, cases, perspectives, allow_identifiers, effects"], id='scalar_for_list'),
    pytest.param('edition:\n  date: 2024-06-28',
                 'edition:\n  - date: 2024-06-28',
                 ["11:3: a list item out of line; line up the '-' of each item (YAML: did not find expected '-' indicator)"], id='list_for_record'),
    pytest.param('  status: approved',
                 '   status: approved',
                 ["11:10: a ':' where none was expected; check this line's indentation against the lines above, and put text containing ': ' in quotes (YAML: mapping values are not allowed in this context)"], id='bad_indent'),
    pytest.param('network: Netværket for arvelige hjertesygdomme',
                 'network: "Netværket for arvelige',
                 ['42:1: the file ends inside a quoted text; close the quote (YAML: found unexpected end of stream)'], id='unclosed_quote'),
    pytest.param('network: Netværket for arvelige hjertesygdomme',
                 'network: Netværket: arvelige hjertesygdomme',
                 ["6:19: a ':' where none was expected; check this line's indentation against the lines above, and put text containing ': ' in quotes (YAML: mapping values are not allowed in this context)"], id='colon_in_text'),
    pytest.param('perspectives: |\n  Perspektiver.\n',
                 'perspectives: |\n  Perspektiver.\n---\nid: x\n',
                 ["42:1: a second document ('---'); a file holds exactly one report"], id='second_document'),
    pytest.param('  as_of: 2024-05-31',
                 '  as_of: 2023-05-31',
                 ["26:10: 'statistics.as_of' is 2023-05-31, before 'in_operation_since' (2024-01-15)", "29:15: 'month' is 2024-01, outside the period of hjerte: from 2024-01 (in operation since 2024-01-15) to 2023-05 (statistics as of 2023-05-31); for newer figures, first update 'statistics.as_of' in groups/hjerte.yaml", "30:15: 'month' is 2024-02, outside the period of hjerte: from 2024-01 (in operation since 2024-01-15) to 2023-05 (statistics as of 2023-05-31); for newer figures, first update 'statistics.as_of' in groups/hjerte.yaml", "31:15: 'month' is 2024-05, outside the period of hjerte: from 2024-01 (in operation since 2024-01-15) to 2023-05 (statistics as of 2023-05-31); for newer figures, first update 'statistics.as_of' in groups/hjerte.yaml"], id='asof_before_start'),
    pytest.param('summary: |\n  Et kort resumé.\n',
                 'summary:\n',
                 ["14:9: 'summary' is empty; expected text"], id='empty_summary'),
    pytest.param('  status: approved',
                 '  status: Approved',
                 ["11:11: 'edition.status' is 'Approved'; expected one of: draft, approved; did you mean 'approved'?"], id='status_case'),
    pytest.param('example_data: true',
                 '? [a, b]\n: true',
                 ["8:3: a key must be a plain word followed by ':', not a list or a set of fields"], id='complex_key'),
    pytest.param('  Perspektiver.',
                 '  Perspektiver <!-- skjult -->.',
                 ["41:16: raw HTML (<!-- skjult -->) in the text; HTML is not allowed, use Markdown instead (**bold**, *italic*, [link text](https://...)), or write '<' with a space after it"], id='html_comment'),
    pytest.param('  Perspektiver.',
                 '  Perspektiver &lt;b&gt;.',
                 ['41:16: an HTML entity (&lt;); write the character itself instead', '41:21: an HTML entity (&gt;); write the character itself instead'], id='html_entity'),
    pytest.param('id: hjerte\n',
                 '- id: hjerte\n',
                 ["2:1: a list item out of line; line up the '-' of each item (YAML: did not find expected '-' indicator)"], id='top_level_list'),
    pytest.param('    criteria: Patienter med arytmi.',
                 '    criteria: ""',
                 ["24:15: 'indications[2].criteria' is empty; expected text"], id='empty_criteria'),
    pytest.param('expected_patients_per_year: 120',
                 'expected_patients_per_year: mange',
                 ["21:33: 'indications[1].expected_patients_per_year' is 'mange'; expected a whole number (0 or more)"], id='expected_text'),
    pytest.param('cases:\n  - title',
                 'cases: ~\nx:\n  - title',
                 ["33:1: unknown field 'x'; expected one of: id, category, name, network, in_operation_since, example_data, edition, summary, indications, statistics, cases, perspectives, allow_identifiers, effects"], id='null_scalar_for_list'),
]


# The same problems as `reportgen check` prints them by default on a project whose first language is Danish
# (line:col: message, by the id of the case in BAD_GROUP_FILES).
BAD_GROUP_FILES_DA = {
    'unknown_key': ["14:1: ukendt felt 'sumary'; mente du 'summary'?"],
    'unknown_nested_key': ["11:3: ukendt felt 'stauts' i 'edition'; mente du 'status'?"],
    'missing_field': ["1:1: 'perspectives' mangler; forventede: Perspektiver (Markdown)."],
    'duplicate_key': ["9:1: nøglen 'example_data' står to gange i samme blok (første gang på linje 8); behold en af dem"],
    'anchor': ['6:10: et anker (&n); ankre og aliaser er ikke tilladt, skriv værdien helt ud'],
    'alias': ['40:15: et alias (*x) henviser til en anden del af filen; aliaser er ikke tilladt, skriv værdien helt ud'],
    'tab_indent': ['11:1: et tabulatortegn; YAML skal have mellemrum her (indstil din editor til at indsætte mellemrum i stedet for tabulatorer)'],
    'tab_in_text': ['15:10: et tabulatortegn; YAML skal have mellemrum her (indstil din editor til at indsætte mellemrum i stedet for tabulatorer)'],
    'python_tag': ['6:10: et YAML-tag (!!python/object/apply:os.system); tags er ikke tilladt, fjern det og skriv den almindelige værdi'],
    'local_tag': ['6:10: et YAML-tag (!secret); tags er ikke tilladt, fjern det og skriv den almindelige værdi'],
    'no_as_region': ["30:32: 'region' er 'NO', som ikke er en region i reportgen.yaml (hovedstaden, sjaelland)"],
    'on_as_bool': ["8:15: 'example_data' er 'on'; skriv true eller false"],
    'leading_zero': ["29:72: 'statistics.monthly[1].patients' er 012; skriv tallet uden foranstillet nul (12)"],
    'negative': ["29:72: 'statistics.monthly[1].patients' er -3; et antal kan ikke være negativt"],
    'decimal': ["29:72: 'statistics.monthly[1].patients' er 1.5; forventede et helt tal uden decimaler"],
    'quoted_number': ["29:72: 'statistics.monthly[1].patients' er teksten '14' i anførselstegn; skriv tallet uden anførselstegn"],
    'thousands': ["29:72: 'statistics.monthly[1].patients' er 1.200; skriv tallet uden tusindtalsseparatorer: 1200"],
    'word_count': ["29:72: 'statistics.monthly[1].patients' er 'many'; forventede et helt tal (0 eller mere)"],
    'diagnosed_gt_patients': ["29:133: 'diagnosed' er 15, flere end 'patients' (14); patienter med fund tælles med blandt patienterne"],
    'patients_gt_analyses': ["31:72: 'patients' er 10, flere end WGS-analyserne (germline + somatic + rna = 9); hver patient har mindst én analyse"],
    'month_before_start': ["29:15: 'month' er 2023-12, uden for perioden for hjerte: fra 2024-01 (i drift siden 2024-01-15) til 2024-05 (statistik til og med 2024-05-31)"],
    'month_after_asof': ["31:15: 'month' er 2024-06, uden for perioden for hjerte: fra 2024-01 (i drift siden 2024-01-15) til 2024-05 (statistik til og med 2024-05-31); for nyere tal skal 'statistics.as_of' i groups/hjerte.yaml først opdateres"],
    'month_invalid': ["30:15: 'statistics.monthly[2].month' er '2024-13'; forventede en måned skrevet ÅÅÅÅ-MM, fx 2024-05"],
    'unknown_region': ["30:32: 'region' er 'sjalland', som ikke er en region i reportgen.yaml (hovedstaden, sjaelland); mente du 'sjaelland'?"],
    'unknown_indication': ["31:57: 'indication' er 'HJ3', som ikke er en af indikationerne for hjerte (HJ1, HJ2); mente du 'HJ2'?"],
    'duplicate_row': ['31:7: en række mere for hjerte, 2024-01, hovedstaden, HJ1 (den første står på linje 29); slå dem sammen til én række'],
    'html_script': ["15:11: rå HTML (<script>) i teksten; HTML er ikke tilladt, brug Markdown i stedet (**fed**, *kursiv*, [linktekst](https://...)), eller skriv '<' med et mellemrum efter", "15:27: rå HTML (</script>) i teksten; HTML er ikke tilladt, brug Markdown i stedet (**fed**, *kursiv*, [linktekst](https://...)), eller skriv '<' med et mellemrum efter"],
    'html_img': ["39:16: rå HTML (<img src=x onerror=alert(1)>) i teksten; HTML er ikke tilladt, brug Markdown i stedet (**fed**, *kursiv*, [linktekst](https://...)), eller skriv '<' med et mellemrum efter"],
    'javascript_link': ["41:6: et link, der begynder med 'javascript:'; links må kun begynde med https://, http:// eller mailto:"],
    'markdown_image': ['41:3: et billede (![...](...)); billeder understøttes ikke i rapporttekster'],
    'cpr': ["39:23: '010203-1234' ligner et CPR-nummer; patienttekster skal være anonymiserede. Fjern det, eller skriv det under 'allow_identifiers' med en begrundelse, hvis det ikke er en persons nummer"],
    'cpr_no_hyphen': ["39:14: '1012981235' ligner et CPR-nummer; patienttekster skal være anonymiserede. Fjern det, eller skriv det under 'allow_identifiers' med en begrundelse, hvis det ikke er en persons nummer"],
    'id_mismatch': ["1:5: 'id' er hjerter, men filen hedder hjerte.yaml; de skal være ens"],
    'category_typo': ["2:11: 'category' er 'rar'; forventede en af: rare, cancer; mente du 'rare'?"],
    'impact_typo': ["35:14: 'cases[1].impact[1]' er 'diagnose'; forventede en af: diagnosis, treatment, family, prevention, prognosis; mente du 'diagnosis'?"],
    'impact_empty': ["35:13: 'cases[1].impact' skal have mindst 1 punkt(er), men har 0"],
    'impact_twice': ["35:22: 'cases[1].impact' nævner family to gange"],
    'date_not_in_calendar': ["10:9: 'edition.date' er 2024-02-30, som ikke er en dato i kalenderen"],
    'date_format': ["7:21: 'in_operation_since' er '15-01-2024'; forventede en dato skrevet ÅÅÅÅ-MM-DD, fx 2024-05-31"],
    'name_missing_en': ["4:3: 'name' har ingen tekst på en; tilføj 'en: ...'"],
    'unknown_language': ["4:3: 'name' har ingen tekst på en; tilføj 'en: ...'", "5:3: 'dk' er ikke et af rapporternes sprog (da, en); mente du 'da'?"],
    'duplicate_code': ['22:11: indikationskoden HJ1 bruges to gange; hver kode skal være unik', "31:57: 'indication' er 'HJ2', som ikke er en af indikationerne for hjerte (HJ1); mente du 'HJ1'?"],
    'case_indication': ["34:17: 'indication' er 'HJ9', som ikke er en af indikationerne for hjerte (HJ1, HJ2); mente du 'HJ2'?"],
    'scalar_for_list': ["16:14: 'indications' skal være en liste (linjer, der begynder med '- '), men er 'HJ1'", "17:1: ukendt felt 'x'; forventede en af: id, category, name, network, in_operation_since, example_data, edition, summary, indications, statistics, cases, perspectives, allow_identifiers, effects"],
    'list_for_record': ["11:3: et listepunkt ude af linje; sæt '-' for hvert punkt lige under hinanden (YAML: did not find expected '-' indicator)"],
    'bad_indent': ["11:10: et ':', hvor der ikke skulle være et; tjek linjens indrykning i forhold til linjerne ovenover, og sæt tekst med ': ' i anførselstegn (YAML: mapping values are not allowed in this context)"],
    'unclosed_quote': ['42:1: filen slutter inden i en tekst i anførselstegn; afslut anførselstegnene (YAML: found unexpected end of stream)'],
    'colon_in_text': ["6:19: et ':', hvor der ikke skulle være et; tjek linjens indrykning i forhold til linjerne ovenover, og sæt tekst med ': ' i anførselstegn (YAML: mapping values are not allowed in this context)"],
    'second_document': ["42:1: et dokument mere ('---'); en fil rummer præcis én rapport"],
    'asof_before_start': ["26:10: 'statistics.as_of' er 2023-05-31, før 'in_operation_since' (2024-01-15)", "29:15: 'month' er 2024-01, uden for perioden for hjerte: fra 2024-01 (i drift siden 2024-01-15) til 2023-05 (statistik til og med 2023-05-31); for nyere tal skal 'statistics.as_of' i groups/hjerte.yaml først opdateres", "30:15: 'month' er 2024-02, uden for perioden for hjerte: fra 2024-01 (i drift siden 2024-01-15) til 2023-05 (statistik til og med 2023-05-31); for nyere tal skal 'statistics.as_of' i groups/hjerte.yaml først opdateres", "31:15: 'month' er 2024-05, uden for perioden for hjerte: fra 2024-01 (i drift siden 2024-01-15) til 2023-05 (statistik til og med 2023-05-31); for nyere tal skal 'statistics.as_of' i groups/hjerte.yaml først opdateres"],
    'empty_summary': ["14:9: 'summary' er tom; forventede tekst"],
    'status_case': ["11:11: 'edition.status' er 'Approved'; forventede en af: draft, approved; mente du 'approved'?"],
    'complex_key': ["8:3: en nøgle skal være et almindeligt ord efterfulgt af ':', ikke en liste eller en samling felter"],
    'html_comment': ["41:16: rå HTML (<!-- skjult -->) i teksten; HTML er ikke tilladt, brug Markdown i stedet (**fed**, *kursiv*, [linktekst](https://...)), eller skriv '<' med et mellemrum efter"],
    'html_entity': ['41:16: en HTML-entitet (&lt;); skriv selve tegnet i stedet', '41:21: en HTML-entitet (&gt;); skriv selve tegnet i stedet'],
    'top_level_list': ["2:1: et listepunkt ude af linje; sæt '-' for hvert punkt lige under hinanden (YAML: did not find expected '-' indicator)"],
    'empty_criteria': ["24:15: 'indications[2].criteria' er tom; forventede tekst"],
    'expected_text': ["21:33: 'indications[1].expected_patients_per_year' er 'mange'; forventede et helt tal (0 eller mere)"],
    'null_scalar_for_list': ["33:1: ukendt felt 'x'; forventede en af: id, category, name, network, in_operation_since, example_data, edition, summary, indications, statistics, cases, perspectives, allow_identifiers, effects"],
}


def problems_in(root: Path) -> list[str]:
    try:
        load_project(root)
    except InputError as exc:
        return [str(p) for p in exc.problems]
    return []


@pytest.mark.parametrize("old, new, expected", BAD_GROUP_FILES)
def test_bad_group_file(tmp_path, old, new, expected):
    assert old in HEART
    write_project(tmp_path, {"hjerte": HEART.replace(old, new, 1), "kraeft": CANCER})
    assert problems_in(tmp_path) == [f"groups/hjerte.yaml:{p}" for p in expected]


def check_output(root: Path, *options: str) -> tuple[int, list[str]]:
    """`reportgen check` run on `root`: its exit status and what it printed to stderr, line by line."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = main(["check", str(root), *options])
    return status, err.getvalue().splitlines()


def test_every_case_is_told_in_danish():
    assert set(BAD_GROUP_FILES_DA) == {case.id for case in BAD_GROUP_FILES}


@pytest.mark.usefixtures("messages_from_project")
@pytest.mark.parametrize("old, new, expected", BAD_GROUP_FILES)
def test_check_tells_a_bad_group_file_in_danish_and_in_english(tmp_path, request, old, new, expected):
    write_project(tmp_path, {"hjerte": HEART.replace(old, new, 1), "kraeft": CANCER})
    danish = BAD_GROUP_FILES_DA[request.node.callspec.id]
    count = len(expected)
    status, lines = check_output(tmp_path)  # the project's first language: Danish
    assert status == 1
    assert lines == [f"groups/hjerte.yaml:{p}" for p in danish] + [
        f"{count} {'problem' if count == 1 else 'problemer'} i 1 fil; intet blev bygget"]
    status, lines = check_output(tmp_path, "--messages", "en")
    assert status == 1
    assert lines == [f"groups/hjerte.yaml:{p}" for p in expected] + [
        f"{count} {'problem' if count == 1 else 'problems'} in 1 file; nothing was built"]


def test_valid_project_loads(tmp_path):
    project = load_project(write_project(tmp_path))
    assert [g.id for g in project.groups] == ["hjerte", "kraeft"]
    heart = project.group("hjerte")
    assert heart.statistics.monthly[1].analyses.rna == 1
    assert heart.name.by_lang == {"da": "Arvelige hjertesygdomme", "en": "Hereditary heart diseases"}
    assert heart.cases[0].text.by_lang["da"].startswith("En dreng i skolealderen")
    assert project.config.weights == {"germline": 1, "somatic": 3, "rna": 1}


@pytest.mark.parametrize("data, expected", [
    pytest.param(b"", "1:1: the file is empty; expected the fields of a report (see the other files in the folder)",
                 id="empty"),
    pytest.param(b"# only a comment\n\n", "1:1: the file is empty; expected the fields of a report "
                 "(see the other files in the folder)", id="comments_only"),
    pytest.param(HEART.encode().replace("resumé".encode(), b"resum\xe9"),
                 "15:16: byte 0xE9 is not UTF-8 text; save the file with the encoding UTF-8 "
                 "(often 'æ', 'ø' or 'å' typed in another encoding)", id="latin1"),
    pytest.param(b"- id: hjerte\n- x\n", "1:1: the file should be a set of `key: value` fields, starting with 'id:'",
                 id="top_level_list"),
    pytest.param(b"just some words\n", "1:1: the file should be a set of `key: value` fields, starting with 'id:'",
                 id="top_level_scalar"),
    pytest.param(b"id: hjerte\nx: \"\x07\"\n", "2:5: an invisible control character (U+0007); delete it and "
                 "retype the text around it", id="control_character"),
])
def test_bad_bytes(tmp_path, data, expected):
    write_project(tmp_path)
    (tmp_path / "groups/hjerte.yaml").write_bytes(data)
    found = problems_in(tmp_path)
    assert found == [f"groups/hjerte.yaml:{expected}"]


def test_utf8_byte_order_mark_is_accepted(tmp_path):
    write_project(tmp_path)
    (tmp_path / "groups/hjerte.yaml").write_bytes(b"\xef\xbb\xbf" + HEART.encode())
    assert problems_in(tmp_path) == []


def test_file_over_one_megabyte(tmp_path):
    write_project(tmp_path)
    (tmp_path / "groups/hjerte.yaml").write_text(HEART + "# " + "x" * 1_000_000 + "\n")
    assert problems_in(tmp_path) == [
        "groups/hjerte.yaml:1:1: the file is 1.0 MB; a group file may be at most 1 MB (is it the right file?)"]


def test_alias_bomb_fails_fast(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 12)]
    write_project(tmp_path)
    (tmp_path / "groups/hjerte.yaml").write_text("\n".join(lines) + "\n")
    started = time.perf_counter()
    found = problems_in(tmp_path)
    assert time.perf_counter() - started < 2  # a generous bound: expanding would never finish
    assert found[0] == ("groups/hjerte.yaml:1:5: an anchor (&a0); anchors and aliases are not allowed, "
                        "write the value out in full")


def test_cpr_allowed_with_reason(tmp_path):
    text = HEART.replace("      Familien blev tilbudt udredning.",
                         "      Prøvenummer 010203-1234 er et laboratorienummer.") + (
        "allow_identifiers:\n  - value: 010203-1234\n    reason: Et laboratoriets prøvenummer, ikke et CPR-nummer\n")
    write_project(tmp_path, {"hjerte": text, "kraeft": CANCER})
    assert problems_in(tmp_path) == []


@pytest.mark.parametrize("text", ["320199-1234", "300200-4123", "290223-1234", "12345678901", "2024-05-31 1234"])
def test_not_cpr_shaped(tmp_path, text):
    """Impossible dates and longer numbers are not CPR numbers (29 Feb 1923 did not exist)."""
    group = HEART.replace("      Familien blev tilbudt udredning.", f"      Nummeret {text} er ikke et CPR-nummer.")
    write_project(tmp_path, {"hjerte": group, "kraeft": CANCER})
    assert problems_in(tmp_path) == []


@pytest.mark.parametrize("text", ["290200-4123", "010137-4123", "311299 1234", "010158-5123"])
def test_cpr_shaped_under_century_rule(tmp_path, text):
    """29 Feb 2000 exists (7th digit 4, year 00); 1937 and 1858 births are dates too."""
    group = HEART.replace("      Familien blev tilbudt udredning.", f"      Nummeret {text} blev fundet.")
    write_project(tmp_path, {"hjerte": group, "kraeft": CANCER})
    assert problems_in(tmp_path) == [
        f"groups/hjerte.yaml:39:16: '{text}' is shaped like a CPR number; patient texts must be anonymised. "
        "Remove it, or if it is not a person's number, list it under 'allow_identifiers' with a reason"]


def test_every_problem_in_every_file_in_one_run(tmp_path):
    write_project(tmp_path, {
        "hjerte": HEART.replace("patients: 14", "patients: -1").replace("summary: |", "sumary: |"),
        "kraeft": CANCER.replace("category: cancer", "category: kancer"),
    })
    (tmp_path / "reportgen.yaml").write_text(
        (tmp_path / "reportgen.yaml").read_text().replace("min_count: 5", "min_count: 0"))
    assert problems_in(tmp_path) == [
        "groups/hjerte.yaml:14:1: unknown field 'sumary'; did you mean 'summary'?",
        "groups/hjerte.yaml:29:72: 'statistics.monthly[1].patients' is -1; a count cannot be negative",
        "groups/kraeft.yaml:2:11: 'category' is 'kancer'; expected one of: rare, cancer; did you mean 'cancer'?",
        "reportgen.yaml:23:14: 'privacy.min_count' is 0; expected a whole number of at least 1",
    ]


def test_wrong_extension_and_missing_consolidated(tmp_path):
    write_project(tmp_path)
    (tmp_path / "groups/hjerte.yaml").rename(tmp_path / "groups/hjerte.yml")
    (tmp_path / "groups/consolidated/cancer.yaml").unlink()
    assert problems_in(tmp_path) == [
        "groups/consolidated/cancer.yaml:1:1: this file is missing; the consolidated cancer report needs its texts",
        "groups/hjerte.yml:1:1: group files must end in .yaml; rename it to hjerte.yaml",
    ]


def test_consolidated_category_must_match_file(tmp_path):
    write_project(tmp_path)
    path = tmp_path / "groups/consolidated/rare.yaml"
    path.write_text(path.read_text().replace("category: rare", "category: cancer"))
    assert problems_in(tmp_path) == [
        "groups/consolidated/rare.yaml:1:11: 'category' is cancer, but the file is rare.yaml; they must agree"]


def test_config_text_needs_every_language(tmp_path):
    write_project(tmp_path)
    path = tmp_path / "reportgen.yaml"
    path.write_text(path.read_text().replace(', en: "Sequenced samples."', ""))
    assert problems_in(tmp_path) == ["reportgen.yaml:12:17: 'units.analyses.definition' has no text in en; add 'en: ...'"]


# --- the command line ---------------------------------------------------------


@pytest.mark.usefixtures("messages_from_project")
def test_check_exit_codes_and_output(tmp_path, capsys):
    write_project(tmp_path)
    assert main(["check", str(tmp_path)]) == 0
    assert capsys.readouterr().out == ("OK: reportgen.yaml, 2 gruppefiler og 2 filer til samlede rapporter, "
                                       "5 statistikrækker: ingen problemer fundet\n")
    assert main(["check", str(tmp_path), "--messages", "en"]) == 0
    assert capsys.readouterr().out == ("OK: reportgen.yaml, 2 group files and 2 consolidated files, "
                                       "5 statistics rows: no problems found\n")
    (tmp_path / "groups/hjerte.yaml").write_text(HEART.replace("region: sjaelland", "region: NO"))
    assert main(["check", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == "1 problem i 1 fil; intet blev bygget"
    assert main(["check", "--messages=en", str(tmp_path)]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == "1 problem in 1 file; nothing was built"
    assert main(["check", str(tmp_path / "nowhere"), "--messages", "en"]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err == f"reportgen: fejl: '{tmp_path / 'nowhere'}' er ikke en mappe\n"
    assert main(["check", str(tmp_path / "groups"), "--messages", "en"]) == 2
    assert "no reportgen.yaml" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "groups")]) == 2
    assert "ingen reportgen.yaml" in capsys.readouterr().err


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


def test_python_m_reportgen_runs(tmp_path):
    write_project(tmp_path)
    result = subprocess.run([sys.executable, "-m", "reportgen", "check", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_shipped_data_is_valid():
    root = Path(__file__).resolve().parents[1]
    project = load_project(root)
    assert len(project.groups) == 17
    assert sorted(g.category for g in project.groups).count("rare") == 13
    assert all(g.example_data for g in project.groups)
    assert all(len(g.cases) >= 3 for g in project.groups)
    assert all(2 <= len(g.indications) <= 5 for g in project.groups)


PRIVACY_COMBINATIONS = [
    pytest.param("  min_count: 5\n", "  min_count: 3\n  min_range: 3\n",
                 "reportgen.yaml:24:14: 'privacy.min_range' is 3 and 'privacy.min_count' is 3: a count shown as '<3' "
                 "lies between 1 and 2, fewer than 3 values, so every such count would give itself away; expected a "
                 "min_count of at least 4 (or a smaller min_range)", id="min_range_above_min_count"),
    pytest.param("  min_count: 5\n", "  min_count: 2\n",
                 "reportgen.yaml:23:14: 'privacy.min_range' is 3 and 'privacy.min_count' is 2: a count shown as '<2' "
                 "lies between 1 and 1, fewer than 3 values, so every such count would give itself away; expected a "
                 "min_count of at least 4 (or a smaller min_range)", id="min_count_of_2_tells_the_count"),
    pytest.param("  min_count: 5\n", "  min_count: 10\n  min_range: 4\n  rounding_base: 3\n",
                 "reportgen.yaml:25:18: 'privacy.rounding_base' is 3: a figure rounded to the nearest 3 can be only 3 "
                 "values, fewer than 'privacy.min_range' (4), so rounding could protect no count; expected at "
                 "least 4", id="rounding_base_below_min_range"),
]


@pytest.mark.parametrize("old, new, expected", PRIVACY_COMBINATIONS)
def test_privacy_settings_that_cannot_work_together_are_refused(tmp_path, old, new, expected):
    write_project(tmp_path)
    config = tmp_path / "reportgen.yaml"
    assert old in config.read_text(encoding="utf-8")
    config.write_text(config.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    assert problems_in(tmp_path) == [expected]


@pytest.mark.usefixtures("messages_from_project")
def test_privacy_settings_are_refused_in_danish(tmp_path):
    write_project(tmp_path)
    config = tmp_path / "reportgen.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("  min_count: 5\n", "  min_count: 3\n  min_range: 3\n"
                                                                 "  rounding_base: 2\n"), encoding="utf-8")
    status, lines = check_output(tmp_path)
    assert status == 1
    assert lines[0].startswith("reportgen.yaml:24:14: 'privacy.min_range' er 3, og 'privacy.min_count' er 3: et "
                               "antal vist som '<3' ligger mellem 1 og 2")
    assert lines[1].startswith("reportgen.yaml:25:18: 'privacy.rounding_base' er 2: et tal afrundet til nærmeste 2")
