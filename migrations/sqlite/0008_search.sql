-- Full-text search over register entries (issue 4; docs/design/search.md).
-- One document per entry: rowid = entries.id, `doc` = text::normalize_search() of the subject,
-- body, depositor name, register number and extracted attachment text (search/index.cpp writes
-- it). The text is normalized in C++ (ICU), so unicode61 only splits words; remove_diacritics 2
-- and its case folding are a second line of defence for text written by other means.
-- Entries registered before this migration have no document yet: search::reindex_missing()
-- fills them in (batches) at start-up.
-- prefix='3 4': indexes of 3- and 4-letter prefixes, so the word being typed (the last word
-- of a query is a prefix of at least 3 letters) does not scan every word starting with "ال…".
CREATE VIRTUAL TABLE entry_search USING fts5(doc, tokenize = 'unicode61 remove_diacritics 2', prefix = '3 4');
