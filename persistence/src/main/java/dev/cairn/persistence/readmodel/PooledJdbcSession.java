package dev.cairn.persistence.readmodel;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.projection.jdbc.JdbcSession;

/**
 * A projection's transaction on a pooled connection: the read-model update and the projection's
 * offset commit together, which makes the projection exactly-once.
 */
final class PooledJdbcSession implements JdbcSession {

  private final Connection connection;
  private final List<Runnable> afterCommit = new ArrayList<>();

  PooledJdbcSession(Connection connection) throws SQLException {
    connection.setAutoCommit(false);
    this.connection = connection;
  }

  @Override
  public <R> R withConnection(Function<Connection, R> work) throws Exception {
    return work.apply(connection);
  }

  /** Runs {@code action} once this session's transaction has committed; never if it rolls back. */
  void afterCommit(Runnable action) {
    afterCommit.add(action);
  }

  @Override
  public void commit() throws SQLException {
    connection.commit();
    afterCommit.forEach(Runnable::run);
    afterCommit.clear();
  }

  @Override
  public void rollback() throws SQLException {
    afterCommit.clear();
    connection.rollback();
  }

  @Override
  public void close() throws SQLException {
    connection.setAutoCommit(true);
    connection.close();
  }
}
