package dev.jent.integration;

import dev.jent.Jent;

/**
 * The JENT provider's request and byte counters at one moment, taken from its status JSON.
 *
 * <p>Comparing two snapshots shows whether a piece of code drew entropy from JENT: that is how
 * the demo and the tests prove that BCFIPS's seed came from JENT and not from somewhere else.
 */
public final class JentCounters {

  // Where the counters sit in the status JSON (see dev.jent.Jent#statusJson):
  // "served":{..., "total":{"requests":N,"bytes":M,"failures":F}}.
  private static final String SERVED_FIELD = "served";
  private static final String TOTAL_FIELD = "total";
  private static final String REQUESTS_FIELD = "requests";
  private static final String BYTES_FIELD = "bytes";

  private final long requests;
  private final long bytes;
  private final String statusJson;

  private JentCounters(long requests, long bytes, String statusJson) {
    this.requests = requests;
    this.bytes = bytes;
    this.statusJson = statusJson;
  }

  /**
   * Reads the counters now.
   *
   * @return the current counters
   * @throws IllegalStateException if the status JSON lacks a counter
   */
  public static JentCounters read() {
    return parse(Jent.statusJson());
  }

  /**
   * Extracts the counters from a status JSON document.
   *
   * @param statusJson the provider's status JSON
   * @return the counters it holds
   * @throws IllegalStateException if a counter is missing or not a whole number
   */
  public static JentCounters parse(String statusJson) {
    int total = fieldStart(statusJson, TOTAL_FIELD, fieldStart(statusJson, SERVED_FIELD, 0));
    return new JentCounters(
        wholeNumber(statusJson, REQUESTS_FIELD, total),
        wholeNumber(statusJson, BYTES_FIELD, total),
        statusJson);
  }

  /** @return how many entropy requests JENT has served in this JVM */
  public long requests() {
    return requests;
  }

  /** @return how many entropy bytes JENT has handed out in this JVM */
  public long bytes() {
    return bytes;
  }

  /** @return the status JSON these counters were read from */
  public String statusJson() {
    return statusJson;
  }

  /**
   * @param earlier a snapshot taken before this one
   * @return true if JENT served at least one request carrying at least one byte in between
   */
  public boolean roseSince(JentCounters earlier) {
    return requests > earlier.requests && bytes > earlier.bytes;
  }

  @Override
  public String toString() {
    return requests + " requests, " + bytes + " bytes";
  }

  // The status document is written by our own provider and its layout is documented there; a
  // JSON library would be a dependency for two numbers. Returns the index just after the colon
  // that follows "field", searching from index "from".
  private static int fieldStart(String json, String field, int from) {
    String key = "\"" + field + "\"";
    int keyAt = json.indexOf(key, from);
    int colon = keyAt < 0 ? -1 : json.indexOf(':', keyAt + key.length());
    if (colon < 0) {
      throw new IllegalStateException("JENT status has no \"" + field + "\" after index "
          + from + ": " + json);
    }
    return colon + 1;
  }

  private static long wholeNumber(String json, String field, int from) {
    int at = fieldStart(json, field, from);
    while (at < json.length() && Character.isWhitespace(json.charAt(at))) {
      at++;
    }
    int end = at;
    while (end < json.length() && Character.isDigit(json.charAt(end))) {
      end++;
    }
    if (end == at) {
      throw new IllegalStateException("JENT status field \"" + field
          + "\" is not a whole number: " + json);
    }
    return Long.parseLong(json.substring(at, end));
  }
}
