package dev.cairn.persistence.readmodel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.protocol.collection.IndexField;
import dev.cairn.protocol.collection.IndexType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A list query over one collection's read model: filters and sort keys on declared index fields,
 * then by id, with keyset paging (the cursor holds the last row's sort values, so pages neither
 * skip nor repeat documents while others are written). Everything the client sends is checked here,
 * against the collection's declared indexes, and reaches the database only as a parameter.
 * Documents without a value for a sort field come last; a filter never matches a missing value,
 * except {@code ne}.
 */
public final class DocumentQuery {

  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 1000;
  private static final int MAX_IN_VALUES = 100;
  private static final Set<String> OPERATORS =
      Set.of("eq", "ne", "gt", "gte", "lt", "lte", "in", "prefix");

  /** The client's query refers to something that is not declared or does not parse. */
  public static final class Invalid extends RuntimeException {
    public Invalid(String message) {
      super(message, null, false, false);
    }
  }

  /** A filter as the client wrote it: {@code where.<field>[.<operator>]=<value>}. */
  public record Filter(String field, String operator, String value) {}

  /** A sort key: a declared field, descending when written with a leading minus. */
  public record Sort(String field, boolean descending) {}

  /** One page of documents (as a single GET returns them) and the cursor of the next, or null. */
  public record Page(List<JsonNode> items, String next) {}

  private record Condition(String sql, List<Object> parameters) {}

  private final String collection;
  private final Map<String, IndexField> indexes;
  private final List<Filter> filters;
  private final List<Sort> sort;
  private final int limit;
  private final boolean includeDeleted;
  private final List<Object> after;
  private final String afterId;

  public DocumentQuery(
      String collection,
      Map<String, IndexField> indexes,
      List<Filter> filters,
      List<Sort> sort,
      int limit,
      String cursor,
      boolean includeDeleted) {
    this.collection = collection;
    this.indexes = indexes;
    this.filters = List.copyOf(filters);
    this.sort = List.copyOf(sort);
    this.limit = limit;
    this.includeDeleted = includeDeleted;
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new Invalid("limit must be 1 to " + MAX_LIMIT + ", not " + limit);
    }
    filters.forEach(this::check);
    sort.forEach(s -> declared(s.field(), "sort"));
    Cursor after = cursor == null ? null : Cursor.read(cursor, sortTypes(), shape());
    this.afterId = after == null ? null : after.id();
    this.after = after == null ? List.of() : after.values();
  }

  Page run(Connection connection) throws SQLException {
    Map<String, String> aliases = new LinkedHashMap<>();
    filters.forEach(f -> aliases.computeIfAbsent(f.field(), k -> "j" + aliases.size()));
    sort.forEach(s -> aliases.computeIfAbsent(s.field(), k -> "j" + aliases.size()));

    StringBuilder sql = new StringBuilder("SELECT d.id, d.document");
    for (Sort s : sort) {
      sql.append(", ").append(column(s.field(), aliases));
    }
    ReadTables tables = ReadTables.active(connection);
    sql.append(" FROM ").append(tables.documents()).append(" d");
    List<Object> parameters = new ArrayList<>();
    for (Map.Entry<String, String> join : aliases.entrySet()) {
      sql.append(" LEFT JOIN ")
          .append(tables.fields())
          .append(" ")
          .append(join.getValue())
          .append(" ON ")
          .append(join.getValue())
          .append(".collection = d.collection AND ")
          .append(join.getValue())
          .append(".id = d.id AND ")
          .append(join.getValue())
          .append(".field = ?");
      parameters.add(join.getKey());
    }
    sql.append(" WHERE d.collection = ?");
    parameters.add(collection);
    if (!includeDeleted) {
      sql.append(" AND d.deleted = FALSE");
    }
    for (Filter filter : filters) {
      Condition condition = condition(filter, column(filter.field(), aliases));
      sql.append(" AND ").append(condition.sql());
      parameters.addAll(condition.parameters());
    }
    if (afterId != null) {
      Condition keyset = after(0, aliases);
      sql.append(" AND ").append(keyset.sql());
      parameters.addAll(keyset.parameters());
    }
    sql.append(" ORDER BY ");
    for (Sort s : sort) {
      String column = column(s.field(), aliases);
      sql.append("CASE WHEN ").append(column).append(" IS NULL THEN 1 ELSE 0 END, ");
      sql.append(column).append(s.descending() ? " DESC, " : " ASC, ");
    }
    sql.append("d.id ASC LIMIT ?");
    parameters.add(limit + 1);

    try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
      for (int i = 0; i < parameters.size(); i++) {
        statement.setObject(i + 1, parameters.get(i));
      }
      try (ResultSet rows = statement.executeQuery()) {
        List<JsonNode> items = new ArrayList<>();
        String lastOfPage = null;
        while (rows.next()) {
          if (items.size() == limit) {
            // A row beyond the page: there is a next page, starting after the page's last row.
            return new Page(items, lastOfPage);
          }
          items.add(JsonText.read(rows.getString(2), JsonNode.class));
          if (items.size() == limit) {
            lastOfPage = Cursor.after(rows, 3, sortTypes(), shape());
          }
        }
        return new Page(items, null);
      }
    }
  }

  // --- checks ---------------------------------------------------------------------------------

  private void check(Filter filter) {
    IndexField index = declared(filter.field(), "filter on");
    if (!OPERATORS.contains(filter.operator())) {
      throw new Invalid(
          "'"
              + filter.operator()
              + "' is not a filter operator; use one of "
              + new TreeSet<>(OPERATORS));
    }
    if (filter.operator().equals("prefix") && index.type() != IndexType.STRING) {
      throw new Invalid(
          "prefix applies to string fields; " + filter.field() + " is " + index.type().jsonName());
    }
    values(filter, index.type());
  }

  private IndexField declared(String field, String use) {
    IndexField index = indexes.get(field);
    if (index == null) {
      throw new Invalid(
          "cannot "
              + use
              + " '"
              + field
              + "': the declared index fields of "
              + collection
              + " are "
              + (indexes.isEmpty()
                  ? "none (declare them with PUT /v1/_collections/" + collection + ")"
                  : String.join(", ", new TreeSet<>(indexes.keySet()))));
    }
    return index;
  }

  private List<Object> values(Filter filter, IndexType type) {
    List<String> texts =
        filter.operator().equals("in")
            ? List.of(filter.value().split(",", -1))
            : List.of(filter.value());
    if (texts.size() > MAX_IN_VALUES) {
      throw new Invalid("in takes at most " + MAX_IN_VALUES + " values");
    }
    List<Object> values = new ArrayList<>();
    for (String text : texts) {
      values.add(
          IndexValue.parseText(type, text)
              .orElseThrow(
                  () ->
                      new Invalid(
                          "'"
                              + text
                              + "' is not a "
                              + type.jsonName()
                              + " value for "
                              + filter.field()
                              + (type == IndexType.TIMESTAMP
                                  ? " (use ISO-8601, such as 2026-11-24T10:15:30Z)"
                                  : ""))));
    }
    return values;
  }

  // --- SQL ------------------------------------------------------------------------------------

  private String column(String field, Map<String, String> aliases) {
    return aliases.get(field) + "." + IndexValue.column(indexes.get(field).type());
  }

  private Condition condition(Filter filter, String column) {
    List<Object> values = values(filter, indexes.get(filter.field()).type());
    return switch (filter.operator()) {
      case "eq" -> new Condition(column + " = ?", values);
      case "ne" -> new Condition("(" + column + " IS NULL OR " + column + " <> ?)", values);
      case "gt" -> new Condition(column + " > ?", values);
      case "gte" -> new Condition(column + " >= ?", values);
      case "lt" -> new Condition(column + " < ?", values);
      case "lte" -> new Condition(column + " <= ?", values);
      case "in" ->
          new Condition(
              column
                  + " IN ("
                  + String.join(", ", java.util.Collections.nCopies(values.size(), "?"))
                  + ")",
              values);
      case "prefix" ->
          new Condition(
              column + " LIKE ? ESCAPE '!'", List.of(escapeLike((String) values.get(0)) + "%"));
      default -> throw new Invalid("unknown operator " + filter.operator());
    };
  }

  /** Rows after the cursor in sort order: key i greater, or equal and the rest after. */
  private Condition after(int key, Map<String, String> aliases) {
    if (key == sort.size()) {
      return new Condition("d.id > ?", List.of(afterId));
    }
    Sort s = sort.get(key);
    String column = column(s.field(), aliases);
    Object value = after.get(key);
    Condition rest = after(key + 1, aliases);
    List<Object> parameters = new ArrayList<>();
    if (value == null) {
      // Nulls come last: nothing is greater than a null; an equal row is another null.
      parameters.addAll(rest.parameters());
      return new Condition("(" + column + " IS NULL AND " + rest.sql() + ")", parameters);
    }
    parameters.add(value);
    parameters.add(value);
    parameters.addAll(rest.parameters());
    return new Condition(
        "(("
            + column
            + (s.descending() ? " < ?" : " > ?")
            + " OR "
            + column
            + " IS NULL) OR ("
            + column
            + " = ? AND "
            + rest.sql()
            + "))",
        parameters);
  }

  private static String escapeLike(String text) {
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_");
  }

  // --- cursors --------------------------------------------------------------------------------

  private List<IndexType> sortTypes() {
    return sort.stream().map(s -> indexes.get(s.field()).type()).toList();
  }

  /**
   * What identifies the query apart from its cursor and limit, so a cursor is not misapplied. The
   * filters are a set (the same filters in another parameter order are the same query); the sort
   * keys are a sequence.
   */
  private String shape() {
    List<String> filterSet = new ArrayList<>();
    filters.forEach(f -> filterSet.add(f.field() + "\u0000" + f.operator() + "\u0000" + f.value()));
    java.util.Collections.sort(filterSet);
    return Integer.toHexString(
        List.of(collection, filterSet.toString(), sort.toString(), includeDeleted).hashCode());
  }
}
