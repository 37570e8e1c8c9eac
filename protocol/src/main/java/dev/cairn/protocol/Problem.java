package dev.cairn.protocol;

/**
 * The stable problem types of the API (RFC 9457). The slug is part of the public contract: clients
 * branch on {@link #type()}, so a slug never changes meaning once released. How each maps to an
 * HTTP status is decided in one place in the node.
 */
public enum Problem {
  MALFORMED_REQUEST("malformed-request", "The HTTP request is malformed"),
  URI_TOO_LONG("uri-too-long", "The request URI is too long"),
  HEADERS_TOO_LARGE("headers-too-large", "The request headers are too large"),
  REQUEST_TIMEOUT("request-timeout", "The request did not arrive in time"),
  NOT_IMPLEMENTED("not-implemented", "The server does not implement this part of HTTP"),
  HTTP_VERSION_NOT_SUPPORTED("http-version-not-supported", "HTTP version not supported"),
  MALFORMED_JSON("malformed-json", "The body is not valid JSON"),
  INVALID_NAME("invalid-name", "The collection name or document id is not allowed"),
  INVALID_PARAMETER("invalid-parameter", "A query parameter or header has an invalid value"),
  UNAUTHORIZED("unauthorized", "Authentication is required"),
  INVALID_TOKEN("invalid-token", "The bearer token is not valid"),
  FORBIDDEN("forbidden", "Not allowed for this caller"),
  NOT_FOUND("not-found", "No such document"),
  DELETED("deleted", "The document is deleted"),
  VERSION_NOT_FOUND("version-not-found", "No such version of the document"),
  NO_SUCH_ROUTE("no-such-route", "No such resource"),
  MEMBER_NOT_FOUND("member-not-found", "No such cluster member"),
  METHOD_NOT_ALLOWED("method-not-allowed", "Method not allowed on this resource"),
  ALREADY_EXISTS("already-exists", "The document already exists"),
  VERSION_MISMATCH("version-mismatch", "The document is not at the expected version"),
  BODY_TOO_LARGE("body-too-large", "The request body is too large"),
  LIMIT_EXCEEDED("limit-exceeded", "The request exceeds a limit of the server"),
  TOO_MANY_REQUESTS("too-many-requests", "Too many requests from this client or to this node"),
  UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "Unsupported content type"),
  NOT_AN_OBJECT("not-an-object", "A document must be a JSON object"),
  SCHEMA_VIOLATION("schema-violation", "The document does not satisfy the collection's schema"),
  INVALID_DEFINITION("invalid-definition", "The collection definition is not valid"),
  UNDEFINED_COLLECTION("undefined-collection", "The collection is not defined"),
  INVALID_QUERY("invalid-query", "The list query is not valid"),
  INVALID_PATCH("invalid-patch", "The patch cannot be applied"),
  NOT_REVERTIBLE("not-revertible", "That version cannot be reverted to"),
  IDEMPOTENCY_KEY_REUSED(
      "idempotency-key-reused", "The idempotency key was already used for a different request"),
  STILL_FAILING("still-failing", "The event still cannot be handled"),
  OPERATION_RUNNING("operation-running", "Another such operation is running"),
  UNAVAILABLE("unavailable", "The service is temporarily unavailable"),
  INTERNAL("internal", "Internal server error");

  private final String slug;
  private final String title;

  Problem(String slug, String title) {
    this.slug = slug;
    this.title = title;
  }

  /** The problem's {@code type} URI, stable across releases and documented in docs/problems.md. */
  public String type() {
    return "https://cairn.dev/problems/" + slug;
  }

  public String slug() {
    return slug;
  }

  public String title() {
    return title;
  }
}
