package dev.jent.integration;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.security.GeneralSecurityException;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TLS 1.3 server and client in one JVM, talking over 127.0.0.1 only.
 *
 * <p>Both sides take their SSLContext, key manager and trust manager from the JCA defaults, so
 * under the profile they are BCJSSE's and every handshake exercises BCFIPS's random numbers
 * (key shares, nonces, signatures). Each {@link #handshake()} is a full handshake on a new
 * connection: the client drops the session afterwards so nothing is resumed.
 */
public final class LoopbackTls implements AutoCloseable {

  /** The only protocol either side enables. */
  public static final String PROTOCOL = "TLSv1.3";

  private static final int ACCEPT_BACKLOG = 50;

  private final SSLContext serverContext;
  private final SSLContext clientContext;
  private final SSLServerSocket serverSocket;
  private final Thread acceptor;
  private volatile Throwable serverFailure;

  /**
   * Starts the server on an ephemeral loopback port.
   *
   * @param identity the server's key and certificate; the client trusts exactly that
   * @throws GeneralSecurityException if a JCA factory is missing or refuses the stores
   * @throws IOException if the server socket cannot be bound
   */
  public LoopbackTls(SelfSignedIdentity identity) throws GeneralSecurityException, IOException {
    KeyManagerFactory keyManagers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(identity.keyStore(), identity.password());
    serverContext = SSLContext.getInstance("TLS");
    serverContext.init(keyManagers.getKeyManagers(), null, null);

    TrustManagerFactory trustManagers =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(identity.trustStore());
    clientContext = SSLContext.getInstance("TLS");
    clientContext.init(null, trustManagers.getTrustManagers(), null);

    serverSocket = (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket(
        0, ACCEPT_BACKLOG, InetAddress.getLoopbackAddress());
    serverSocket.setEnabledProtocols(new String[] {PROTOCOL});
    acceptor = new Thread(this::serve, "loopback-tls-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** @return the SSLContext provider of the server side, e.g. "BCJSSE" */
  public String serverProviderName() {
    return serverContext.getProvider().getName();
  }

  /** @return the SSLContext provider of the client side, e.g. "BCJSSE" */
  public String clientProviderName() {
    return clientContext.getProvider().getName();
  }

  /**
   * Connects, completes a full handshake, sends one byte and reads the server's echo.
   *
   * @return the client's view of the session
   * @throws IOException if the handshake or the exchange fails, or the server reported an
   *     error
   */
  public Handshake handshake() throws IOException {
    InetSocketAddress server = new InetSocketAddress(
        InetAddress.getLoopbackAddress(), serverSocket.getLocalPort());
    try (SSLSocket socket = (SSLSocket) clientContext.getSocketFactory().createSocket()) {
      socket.connect(server);
      socket.setEnabledProtocols(new String[] {PROTOCOL});
      socket.startHandshake();

      OutputStream out = socket.getOutputStream();
      out.write(42);
      out.flush();
      int echoed = socket.getInputStream().read();
      if (echoed != 42) {
        throw new IOException("server echoed " + echoed + " instead of 42",
            serverFailure);
      }

      SSLSession session = socket.getSession();
      Handshake result = new Handshake(session.getProtocol(), session.getCipherSuite());
      // A dropped session cannot be resumed, so the next call is a full handshake again.
      session.invalidate();
      return result;
    } catch (IOException e) {
      if (serverFailure != null) {
        e.addSuppressed(serverFailure);
      }
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    serverSocket.close();
    try {
      acceptor.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void serve() {
    while (!serverSocket.isClosed()) {
      try (SSLSocket socket = (SSLSocket) serverSocket.accept()) {
        InputStream in = socket.getInputStream();
        int received = in.read();
        OutputStream out = socket.getOutputStream();
        out.write(received);
        out.flush();
      } catch (SocketException closed) {
        // close() shut the listening socket; the loop condition ends the thread.
        if (!serverSocket.isClosed()) {
          serverFailure = closed;
        }
      } catch (IOException | RuntimeException e) {
        serverFailure = e;
      }
    }
  }

  /** The negotiated parameters of one handshake. */
  public static final class Handshake {
    private final String protocol;
    private final String cipherSuite;

    Handshake(String protocol, String cipherSuite) {
      this.protocol = protocol;
      this.cipherSuite = cipherSuite;
    }

    /** @return the negotiated protocol, e.g. "TLSv1.3" */
    public String protocol() {
      return protocol;
    }

    /** @return the negotiated cipher suite, e.g. "TLS_AES_256_GCM_SHA384" */
    public String cipherSuite() {
      return cipherSuite;
    }
  }
}
