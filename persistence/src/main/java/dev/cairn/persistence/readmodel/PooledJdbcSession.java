package dev.cairn.persistence.readmodel;

import java.sql.Connection;
import java.sql.SQLException;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.projection.jdbc.JdbcSession;

/**
 * A projection's transaction on a pooled connection: the read-model update and the projection's
 * offset commit together, which makes the projection exactly-once.
 */
final class PooledJdbcSession implements JdbcSession {

  private final Connection connection;

  PooledJdbcSession(Connection connection) throws SQLException {
    connection.setAutoCommit(false);
    this.connection = connection;
  }

  @Override
  public <R> R withConnection(Function<Connection, R> work) throws Exception {
    return work.apply(connection);
  }

  @Override
  public void commit() throws SQLException {
    connection.commit();
  }

  @Override
  public void rollback() throws SQLException {
    connection.rollback();
  }

  @Override
  public void close() throws SQLException {
    connection.setAutoCommit(true);
    connection.close();
  }
}
