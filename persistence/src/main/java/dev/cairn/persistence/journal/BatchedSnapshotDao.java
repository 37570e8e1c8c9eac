package dev.cairn.persistence.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.jdbc.config.SnapshotConfig;
import org.apache.pekko.persistence.jdbc.snapshot.dao.DefaultSnapshotDao;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.stream.Materializer;
import scala.Option;
import scala.Tuple2;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;

/**
 * The JDBC snapshot store's data access with one change: on PostgreSQL, the recoveries that run at
 * the same time look up their latest snapshots in one query (see {@link CoalescingLookup}). Every
 * entity's first recovery asks, including a new document's, which has none; without this a burst of
 * new documents costs a snapshot query each. Saving, deleting and the other lookups are the
 * library's own, as is everything on other databases.
 */
public class BatchedSnapshotDao extends DefaultSnapshotDao {

  /** Persistence ids per query. */
  private static final int IDS_PER_LOOKUP = 500;

  /** A snapshot row as stored, deserialized by the lookup it answers. */
  private record Row(
      String persistenceId,
      long sequenceNr,
      long created,
      int serializerId,
      String manifest,
      byte[] payload,
      Integer metaSerializerId,
      String metaManifest,
      byte[] metaPayload) {}

  private final JdbcBackend.JdbcDatabaseDef db;
  private final Serialization serialization;
  private final boolean batched;
  private final CoalescingLookup<Optional<Row>> latest;

  public BatchedSnapshotDao(
      JdbcBackend.JdbcDatabaseDef db,
      JdbcProfile profile,
      SnapshotConfig snapshotConfig,
      Serialization serialization,
      ExecutionContext ec,
      Materializer mat) {
    super(db, profile, snapshotConfig, serialization, ec, mat);
    this.db = db;
    this.serialization = serialization;
    this.batched = SlickJdbc.isPostgres(profile);
    this.latest = new CoalescingLookup<>(this::latestRows, Optional.empty(), IDS_PER_LOOKUP);
  }

  @Override
  public Future<Option<Tuple2<SnapshotMetadata, Object>>> latestSnapshot(String persistenceId) {
    if (!batched) {
      return super.latestSnapshot(persistenceId);
    }
    return FutureConverters.asScala(
        latest
            .lookup(persistenceId)
            .thenApply(row -> row.isEmpty() ? Option.empty() : Option.apply(snapshot(row.get()))));
  }

  private Tuple2<SnapshotMetadata, Object> snapshot(Row row) {
    Object snapshot =
        serialization.deserialize(row.payload(), row.serializerId(), row.manifest()).get();
    Option<Object> metadata =
        row.metaPayload() == null || row.metaSerializerId() == null
            ? Option.empty()
            : Option.apply(
                serialization
                    .deserialize(
                        row.metaPayload(),
                        row.metaSerializerId(),
                        row.metaManifest() == null ? "" : row.metaManifest())
                    .get());
    return new Tuple2<>(
        new SnapshotMetadata(row.persistenceId(), row.sequenceNr(), row.created(), metadata),
        snapshot);
  }

  /** The newest snapshot of each of these entities that has one. */
  private CompletionStage<Map<String, Optional<Row>>> latestRows(List<String> ids) {
    return FutureConverters.asJava(SlickJdbc.run(db, connection -> latestRows(connection, ids)));
  }

  private static Map<String, Optional<Row>> latestRows(Connection connection, List<String> ids)
      throws SQLException {
    Map<String, Optional<Row>> rows = new HashMap<>();
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT s.persistence_id, s.sequence_number, s.created, s.snapshot_ser_id,"
                + " s.snapshot_ser_manifest, s.snapshot_payload, s.meta_ser_id,"
                + " s.meta_ser_manifest, s.meta_payload FROM unnest(?) AS k(id)"
                + " CROSS JOIN LATERAL (SELECT * FROM snapshot WHERE persistence_id = k.id"
                + " ORDER BY sequence_number DESC LIMIT 1) s")) {
      select.setArray(1, connection.createArrayOf("varchar", ids.toArray()));
      try (ResultSet found = select.executeQuery()) {
        while (found.next()) {
          int metaSerializerId = found.getInt(7);
          boolean noMetadata = found.wasNull();
          Row row =
              new Row(
                  found.getString(1),
                  found.getLong(2),
                  found.getLong(3),
                  found.getInt(4),
                  found.getString(5),
                  found.getBytes(6),
                  noMetadata ? null : metaSerializerId,
                  found.getString(8),
                  found.getBytes(9));
          rows.put(row.persistenceId(), Optional.of(row));
        }
      }
    }
    return rows;
  }
}
