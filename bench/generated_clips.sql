-- 100,000 generated clips for the 100k benches (caption_100k.sh, search_load.sh): 1,000 videos x
-- 100 clips with camera movement/speed/segments, shot scale, faces, OCR text, quality and border
-- attributes. Run against a dataset's catalog.sqlite: sqlite3 DB < bench/generated_clips.sql
BEGIN;
INSERT INTO videos (fingerprint, path, status, width, height, fps_num, fps_den)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
  SELECT 'gen' || i, '/gen/folder' || (i % 20) || '/' || i || '.mp4', 'ok', 1920, 1080, 25, 1 FROM n;
INSERT INTO clips (video_id, idx, first_frame, last_frame, start_time, end_time)
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99)
  SELECT v.id, n.i, n.i * 100, n.i * 100 + 99, n.i * 4.0,
         n.i * 4.0 + 1 + ((v.id * 7 + n.i * 13) % 50) / 10.0
  FROM videos v, n WHERE v.fingerprint LIKE 'gen%';
CREATE TEMP TABLE g AS SELECT c.id AS id, c.start_time AS s, c.end_time AS e FROM clips c
  JOIN videos v ON v.id = c.video_id WHERE v.fingerprint LIKE 'gen%';
INSERT INTO clip_attributes (clip_id, name, num, text)
  SELECT id, 'camera.movement', NULL, CASE id % 6 WHEN 0 THEN 'static' WHEN 1 THEN 'pan_left'
    WHEN 2 THEN 'handheld' WHEN 3 THEN 'zoom_in' WHEN 4 THEN 'tilt_up' ELSE 'mixed' END FROM g;
INSERT INTO clip_attributes (clip_id, name, num, text)
  SELECT id, 'camera.speed', NULL, CASE id % 4 WHEN 0 THEN 'none' WHEN 1 THEN 'slow'
    WHEN 2 THEN 'medium' ELSE 'fast' END FROM g;
INSERT INTO clip_attributes (clip_id, name, num, text)
  SELECT id, 'camera.segments', NULL, json_array(
    json_object('label', 'static', 'start', s, 'end', (s + e) / 2, 'rate', 0),
    json_object('label', 'pan_right', 'start', (s + e) / 2, 'end', e, 'rate', 0.08)) FROM g;
INSERT INTO clip_attributes (clip_id, name, num, text)
  SELECT id, 'framing.shot_scale', NULL, CASE id % 7 WHEN 0 THEN 'extreme_close_up'
    WHEN 1 THEN 'close_up' WHEN 2 THEN 'medium_close_up' WHEN 3 THEN 'medium'
    WHEN 4 THEN 'medium_long' WHEN 5 THEN 'full' ELSE 'long' END FROM g;
INSERT INTO clip_attributes (clip_id, name, num, text) SELECT id, 'framing.faces', id % 4, NULL FROM g;
INSERT INTO clip_attributes (clip_id, name, num, text)
  SELECT id, 'text.content', NULL, 'BREAKING NEWS | Channel ' || (id % 50) FROM g WHERE id % 5 = 0;
INSERT INTO clip_attributes (clip_id, name, num, text) SELECT id, 'text.subtitle', id % 9 = 0, NULL FROM g;
INSERT INTO clip_attributes (clip_id, name, num, text)
  SELECT id, 'quality.sharpness', ((id * 37) % 100) / 100.0, NULL FROM g;
INSERT INTO clip_attributes (clip_id, name, num, text)
  SELECT id, 'quality.score', ((id * 53) % 100), NULL FROM g;
INSERT INTO clip_attributes (clip_id, name, num, text) SELECT id, 'borders.letterbox', id % 11 = 0, NULL FROM g;
COMMIT;
