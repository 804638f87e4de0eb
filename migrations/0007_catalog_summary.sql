-- What lists and the search need of an item version, computed when it is
-- stored (catalog_item_summary), so a process starting up reads these small
-- objects instead of parsing every whole item. NULL for rows written
-- before: the view computes those from doc.
ALTER TABLE catalog_items ADD COLUMN summary TEXT;
