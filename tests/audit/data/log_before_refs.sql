-- an audit log written by exportscreen before the refs and reviewer columns (6 lines and a run summary)
BEGIN TRANSACTION;
CREATE TABLE audit_head (
	id INTEGER NOT NULL, 
	seq BIGINT NOT NULL, 
	hash VARCHAR(64) NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO "audit_head" VALUES(1,7,'f996b39c80443fa1e064ef74094446b40353f8dd54eeb02ef3a232a039542466');
CREATE TABLE audit_records (
	seq BIGINT NOT NULL, 
	rtype VARCHAR(8) NOT NULL, 
	run_id INTEGER, 
	ts VARCHAR(40) NOT NULL, 
	username VARCHAR(255), 
	host VARCHAR(255), 
	file TEXT, 
	file_sha256 VARCHAR(64), 
	sheet VARCHAR(255), 
	row_no INTEGER, 
	inputs TEXT, 
	decision VARCHAR(20), 
	label VARCHAR(20), 
	reasons TEXT, 
	detail TEXT, 
	rules_version VARCHAR(255), 
	eul_version VARCHAR(255), 
	as_of VARCHAR(10), 
	prev_hash VARCHAR(64) NOT NULL, 
	hash VARCHAR(64) NOT NULL, 
	PRIMARY KEY (seq)
);
INSERT INTO "audit_records" VALUES(1,'line',1,'2026-11-30T15:35:09.028354+00:00','root','vm','orders.xlsx','abababababababababababababababababababababababababababababababab','受注',2,'{"country":"US","end_use":"自動車部品の加工","end_user":"Acme Corp","hs":"8457.10","inform":"なし","item":"2(12)","order_no":"A-1001","ship_date":"2025-04-10","value_jpy":1200000}','NO_LICENSE','許可不要','[{"en":"catch-all not met","ref":"輸出令別表第一 16の項","rule_id":"catchall.none","severity":"NO_LICENSE","text":"キャッチオール規制の要件に該当せず","topic":"goods"}]','{"country":{"groups":["A"],"iso2":"US","name_en":"United States","name_ja":"アメリカ合衆国"},"item":{"class":"キャッチオール","code":"16","hs":"7318.15","kou":16,"name_en":"screws","name_ja":"ねじ","sub":null}}','2025.04','2025-02-28','2025-04-01','0000000000000000000000000000000000000000000000000000000000000000','186eefbbb30845bc317f5e1f970732bc817f673f383d4dfd848c156056437e71');
INSERT INTO "audit_records" VALUES(2,'line',1,'2026-11-30T15:35:09.028470+00:00','root','vm','orders.xlsx','abababababababababababababababababababababababababababababababab','受注',3,'{"country":"CN","end_use":"自動車部品の加工","end_user":"Beijing Tools","hs":"8457.10","inform":"なし","item":"2(12)","order_no":"A-1002","ship_date":"2025-04-10","value_jpy":35000000}','LICENSE_REQUIRED','許可要','[{"en":"listed item 2(12)","ref":"輸出令別表第一 2の項(12); 外為法48条1項","rule_id":"list.2","severity":"LICENSE_REQUIRED","text":"別表第一2の項(12)に該当","topic":"goods"}]','{"country":{"groups":["A以外"],"iso2":"CN","name_en":"China","name_ja":"中国"},"item":{"class":"リスト規制","code":"2(12)","hs":"8457.10","kou":2,"name_en":"NC machine tools","name_ja":"数値制御工作機械","sub":"12"}}','2025.04','2025-02-28','2025-04-01','186eefbbb30845bc317f5e1f970732bc817f673f383d4dfd848c156056437e71','aa691e41089a2e080840a60676f2fc021b4966b7df36d051d3e7c9cfbefe2881');
INSERT INTO "audit_records" VALUES(3,'line',1,'2026-11-30T15:35:09.028531+00:00','root','vm','orders.xlsx','abababababababababababababababababababababababababababababababab','受注',4,'{"country":"CN","end_use":"自動車部品の加工","end_user":"Suspicious Institute","hs":"8457.10","inform":"なし","item":"16","order_no":"A-1003","ship_date":"2025-04-10","value_jpy":480000}','REVIEW','要確認','[{"en":"end user on EUL","ref":"外国ユーザーリスト 2025-02-28 No.123","rule_id":"eul.hit","severity":"REVIEW","text":"需要者が外国ユーザーリストに掲載（大量破壊兵器）","topic":"user"}]','{"country":{"groups":["A以外"],"iso2":"CN","name_en":"China","name_ja":"中国"},"item":{"class":"キャッチオール","code":"16","hs":"7318.15","kou":16,"name_en":"screws","name_ja":"ねじ","sub":null}}','2025.04','2025-02-28','2025-04-01','aa691e41089a2e080840a60676f2fc021b4966b7df36d051d3e7c9cfbefe2881','b5f65a2482c3d5f3661c6a8d16a0c6f3fb197b1e1060e3cca0b7985f0ad736aa');
INSERT INTO "audit_records" VALUES(4,'line',1,'2026-11-30T15:35:09.028566+00:00','root','vm','orders.xlsx','abababababababababababababababababababababababababababababababab','受注',5,'{"country":"KP","end_use":"自動車部品の加工","end_user":"—","hs":"8457.10","inform":"なし","item":"16","order_no":"A-1004","ship_date":"2025-04-10","value_jpy":10000}','PROHIBITED','輸出禁止','[{"en":"exports to North Korea banned","ref":"外為法48条3項; 輸出貿易管理令別表第二","rule_id":"sanctions.kp","severity":"PROHIBITED","text":"北朝鮮向け輸出は全面禁止","topic":"sanctions"}]','{"country":{"groups":["D"],"iso2":"KP","name_en":"North Korea","name_ja":"北朝鮮"},"item":{"class":"キャッチオール","code":"16","hs":"7318.15","kou":16,"name_en":"screws","name_ja":"ねじ","sub":null}}','2025.04','2025-02-28','2025-04-01','b5f65a2482c3d5f3661c6a8d16a0c6f3fb197b1e1060e3cca0b7985f0ad736aa','71b993e508fd10c45d94ed70576c621fe0801c5c800a87107390eb4e51d0e3a5');
INSERT INTO "audit_records" VALUES(5,'line',1,'2026-11-30T15:35:09.028611+00:00','root','vm','orders.xlsx','abababababababababababababababababababababababababababababababab','受注',6,'{"country":"ZZ","end_use":"自動車部品の加工","end_user":"Foo","hs":"8457.10","inform":"なし","item":"16","order_no":"A-1005","ship_date":"2025-04-10","value_jpy":null}','INVALID','入力エラー','[{"en":"unknown destination","ref":"—","rule_id":"input.country","severity":"INVALID","text":"仕向地が不明です","topic":"input"}]','{"country":null,"item":{"class":"キャッチオール","code":"16","hs":"7318.15","kou":16,"name_en":"screws","name_ja":"ねじ","sub":null}}','2025.04',NULL,'2025-04-01','71b993e508fd10c45d94ed70576c621fe0801c5c800a87107390eb4e51d0e3a5','955788697eb4395de1f36efd259758b5d097d550812d93191cdf4b90a02d4fc9');
INSERT INTO "audit_records" VALUES(6,'line',1,'2026-11-30T15:35:09.028652+00:00','root','vm','orders.xlsx','abababababababababababababababababababababababababababababababab','受注',7,'{"country":"US","end_use":"自動車部品の加工","end_user":"Acme Corp","hs":"8457.10","inform":"なし","item":"16","order_no":"A-1006","ship_date":"2025-04-10","value_jpy":80000}','NO_LICENSE','許可不要','[{"en":"catch-all not met","ref":"輸出令別表第一 16の項","rule_id":"catchall.none","severity":"NO_LICENSE","text":"キャッチオール規制の要件に該当せず","topic":"goods"}]','{"country":{"groups":["A"],"iso2":"US","name_en":"United States","name_ja":"アメリカ合衆国"},"item":{"class":"キャッチオール","code":"16","hs":"7318.15","kou":16,"name_en":"screws","name_ja":"ねじ","sub":null}}','2025.04','2025-02-28','2025-04-01','955788697eb4395de1f36efd259758b5d097d550812d93191cdf4b90a02d4fc9','b6d581cfd38e6ee8007c38d096a0e6cb5bd7540a10fd741043c6a3e4162592c2');
INSERT INTO "audit_records" VALUES(7,'run',1,'2026-11-30T15:35:09.030446+00:00','root','vm','orders.xlsx','abababababababababababababababababababababababababababababababab','受注',NULL,NULL,NULL,NULL,NULL,'{"counts":{"INVALID":1,"LICENSE_REQUIRED":1,"NO_LICENSE":2,"PROHIBITED":1,"REVIEW":1},"finished":"2026-11-30T15:35:09.030446+00:00","first_seq":1,"kind":"screen","last_seq":6,"n_records":6,"run_id":1,"started":"2026-11-30T15:35:09.026642+00:00","status":"ok"}',NULL,NULL,NULL,'b6d581cfd38e6ee8007c38d096a0e6cb5bd7540a10fd741043c6a3e4162592c2','f996b39c80443fa1e064ef74094446b40353f8dd54eeb02ef3a232a039542466');
CREATE TABLE audit_runs (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	started VARCHAR(40) NOT NULL, 
	finished VARCHAR(40), 
	username VARCHAR(255), 
	host VARCHAR(255), 
	kind VARCHAR(16) NOT NULL, 
	file TEXT, 
	file_sha256 VARCHAR(64), 
	sheet VARCHAR(255), 
	status VARCHAR(16), 
	n_records INTEGER, 
	counts TEXT, 
	first_seq BIGINT, 
	last_seq BIGINT, 
	seq BIGINT
);
INSERT INTO "audit_runs" VALUES(1,'2026-11-30T15:35:09.026642+00:00','2026-11-30T15:35:09.030446+00:00','root','vm','screen','orders.xlsx','abababababababababababababababababababababababababababababababab','受注','ok',6,'{"INVALID":1,"LICENSE_REQUIRED":1,"NO_LICENSE":2,"PROHIBITED":1,"REVIEW":1}',1,6,7);
CREATE INDEX ix_audit_records_run ON audit_records (run_id);
CREATE INDEX ix_audit_records_ts ON audit_records (ts);
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('audit_runs',1);
COMMIT;
