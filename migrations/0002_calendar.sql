-- Calendars of public holidays and adjusted working days loaded after the
-- build (onehall calendar load, POST /api/v1/calendar/years): added at
-- start on top of the years built into the binary.
CREATE TABLE calendar_years (
    year BIGINT PRIMARY KEY,
    source TEXT NOT NULL,
    body TEXT NOT NULL,
    loaded_at TEXT NOT NULL,
    loaded_by BIGINT
);
