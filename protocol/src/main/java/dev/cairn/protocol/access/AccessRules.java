package dev.cairn.protocol.access;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import java.util.Locale;

/**
 * Who may do what to a collection's documents, in the manner of PocketBase's collection rules: for
 * each operation a list of alternatives, any one of which lets the caller in.
 *
 * <ul>
 *   <li>{@code public}: anyone, without a token;
 *   <li>{@code authenticated}: any valid token;
 *   <li>{@code role:<name>}: a token with that role;
 *   <li>{@code owner}: a token whose {@code sub} is the document's owner, the value at the
 *       collection's {@code owner} pointer.
 * </ul>
 *
 * <p>The role {@code admin} may always do everything. Each list is non-empty; every collection,
 * defined or not, has {@link #DEFAULT}: any valid token, for every operation.
 */
public record AccessRules(
    List<String> read, List<String> create, List<String> update, List<String> delete) {

  public static final String PUBLIC = "public";
  public static final String AUTHENTICATED = "authenticated";
  public static final String OWNER = "owner";
  public static final String ROLE = "role:";

  /** What a caller asks to do to a document. */
  public enum Operation {
    READ,
    CREATE,
    UPDATE,
    DELETE;

    public String json() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What a rule lets a caller do. */
  public enum Grant {
    /** Whatever the document. */
    ALWAYS,
    /** Only documents the caller owns. */
    IF_OWNER,
    /** Nothing. */
    NEVER
  }

  public static final AccessRules DEFAULT =
      new AccessRules(
          List.of(AUTHENTICATED),
          List.of(AUTHENTICATED),
          List.of(AUTHENTICATED),
          List.of(AUTHENTICATED));

  public AccessRules {
    read = read == null ? DEFAULT.read : List.copyOf(read);
    create = create == null ? DEFAULT.create : List.copyOf(create);
    update = update == null ? DEFAULT.update : List.copyOf(update);
    delete = delete == null ? DEFAULT.delete : List.copyOf(delete);
  }

  public List<String> of(Operation operation) {
    return switch (operation) {
      case READ -> read;
      case CREATE -> create;
      case UPDATE -> update;
      case DELETE -> delete;
    };
  }

  /** Whether any rule needs to know the document's owner. */
  @JsonIgnore
  public boolean mentionsOwner() {
    for (Operation operation : Operation.values()) {
      if (of(operation).contains(OWNER)) {
        return true;
      }
    }
    return false;
  }

  /** What {@code caller} may do: the most any of the operation's alternatives grants. */
  public Grant grant(Operation operation, Principal caller) {
    if (caller.authenticated() && caller.admin()) {
      return Grant.ALWAYS;
    }
    Grant best = Grant.NEVER;
    for (String alternative : of(operation)) {
      if (alternative.equals(PUBLIC)
          || (caller.authenticated() && alternative.equals(AUTHENTICATED))
          || (caller.authenticated()
              && alternative.startsWith(ROLE)
              && caller.hasRole(alternative.substring(ROLE.length())))) {
        return Grant.ALWAYS;
      }
      if (caller.authenticated() && alternative.equals(OWNER)) {
        best = Grant.IF_OWNER;
      }
    }
    return best;
  }

  /** Whether {@code alternative} is one this class knows, for checking a definition. */
  public static boolean isAlternative(String alternative) {
    return alternative.equals(PUBLIC)
        || alternative.equals(AUTHENTICATED)
        || alternative.equals(OWNER)
        || (alternative.startsWith(ROLE)
            && alternative.substring(ROLE.length()).matches("[A-Za-z0-9_.:-]{1,64}"));
  }
}
