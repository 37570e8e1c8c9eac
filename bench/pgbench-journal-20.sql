-- Twenty journal-shaped rows per transaction: the batched-insert ceiling.
INSERT INTO bench_journal (persistence_id, sequence_number, writer, write_timestamp,
  adapter_manifest, event_ser_id, event_ser_manifest, event_payload)
SELECT 'bench|d' || :client_id, nextval('bench_seq'), 'writer', 0, '', 33,
  'dev.cairn.protocol.event.DocumentEvent$Replaced', decode(repeat('ab', 160), 'hex')
FROM generate_series(1, 20);
