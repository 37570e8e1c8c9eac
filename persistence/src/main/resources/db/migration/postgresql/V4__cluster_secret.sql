-- Secrets the nodes of a cluster share, such as the HS256 key that signs tokens when no key is
-- configured (cairn.auth.jwt): written once by the first node that needs it, read by every other
-- node and by `bin/cairn token`. (On H2 the secret is a file under the data directory, which one
-- process at a time holds open.)
CREATE TABLE cluster_secret (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  secret VARCHAR(512) NOT NULL
);
