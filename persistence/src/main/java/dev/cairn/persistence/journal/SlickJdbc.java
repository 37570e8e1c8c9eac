package dev.cairn.persistence.journal;

import java.sql.Connection;
import java.sql.SQLException;
import scala.concurrent.Future;
import slick.dbio.DBIOAction;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;
import slick.jdbc.PostgresProfile;
import slick.jdbc.SimpleJdbcAction;

/** Plain JDBC on the plugins' Slick connection pool, from Java: what Cairn's DAOs run. */
final class SlickJdbc {

  /** Work on a pooled connection. */
  interface Work<T> {
    T apply(Connection connection) throws SQLException;
  }

  private SlickJdbc() {}

  /**
   * Whether the plugins run on PostgreSQL, where Cairn's DAOs take their batched and bounded paths;
   * on H2 they keep the library's.
   */
  static boolean isPostgres(JdbcProfile profile) {
    return profile instanceof PostgresProfile;
  }

  /** Runs the work on one of the pool's connections; an {@link SQLException} fails the future. */
  @SuppressWarnings({"unchecked", "rawtypes"}) // Slick's effect type is Nothing, unnamed in Java
  static <T> Future<T> run(JdbcBackend.JdbcDatabaseDef db, Work<T> work) {
    SimpleJdbcAction<T> action =
        SimpleJdbcAction.apply(
            context -> {
              try {
                return work.apply(context.connection());
              } catch (SQLException e) {
                throw new JournalSqlException(e);
              }
            });
    return (Future<T>) db.run((DBIOAction) action);
  }

  /**
   * A failed statement, unchecked so that it can leave Slick's action and fail what waits on it.
   */
  static final class JournalSqlException extends RuntimeException {
    JournalSqlException(SQLException cause) {
      super(cause.getMessage(), cause);
    }
  }
}
