package dev.cairn.persistence.readmodel;

import dev.cairn.protocol.collection.CollectionView;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The read model's collection definitions, as {@code GET /v1/_collections} lists them. */
final class CollectionRows {

  private CollectionRows() {}

  static DocumentRows.Indexes indexes(Connection c, String collection) throws SQLException {
    return collection(c, collection)
        .map(view -> new DocumentRows.Indexes(view.version(), view.definition().readModelIndexes()))
        .orElse(new DocumentRows.Indexes(0, Map.of()));
  }

  static Optional<CollectionView> collection(Connection c, String name) throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement("SELECT collection FROM read_collection WHERE name = ?")) {
      select.setString(1, name);
      try (ResultSet row = select.executeQuery()) {
        return row.next()
            ? Optional.of(JsonText.read(row.getString(1), CollectionView.class))
            : Optional.empty();
      }
    }
  }

  static List<CollectionView> collections(Connection c) throws SQLException {
    try (PreparedStatement select =
            c.prepareStatement("SELECT collection FROM read_collection ORDER BY name");
        ResultSet rows = select.executeQuery()) {
      List<CollectionView> views = new java.util.ArrayList<>();
      while (rows.next()) {
        views.add(JsonText.read(rows.getString(1), CollectionView.class));
      }
      return views;
    }
  }

  static void saveCollection(Connection c, CollectionView view) throws SQLException {
    Sql.upsert(
        c,
        "read_collection",
        Sql.columns("name", view.name()),
        Sql.columns("version", view.version(), "collection", JsonText.write(view)));
  }
}
