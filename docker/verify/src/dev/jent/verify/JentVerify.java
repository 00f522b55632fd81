package dev.jent.verify;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.DrbgParameters;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.CryptoServicesRegistrar;
import org.bouncycastle.crypto.NativeServices;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Checks, inside a running JENT image, that the JVM really runs under the jent-fips profile:
 * BCFIPS and BCJSSE first, approved-only mode, the strong SecureRandom served by JENT, the
 * default SecureRandom from BCFIPS, BCFIPS seeding its DRBGs from JENT (not from its own native
 * RDSEED source), and a loopback TLS handshake through BCJSSE with a key and certificate made
 * by BCFIPS on the spot.
 *
 * <p>Prints one PASS or FAIL line per check and exits with status 1 if any check failed, so
 * that `podman exec CONTAINER jent-verify` can be used as a health probe.
 */
public final class JentVerify {

    private static final String FIPS_PROVIDER = "BCFIPS";
    private static final String TLS_PROVIDER = "BCJSSE";
    private static final String ENTROPY_PROVIDER = "JENT";
    private static final String ENTROPY_ALGORITHM = "ENTROPY";
    private static final int HANDSHAKE_TIMEOUT_MILLIS = 60_000;

    private final List<String> failures = new ArrayList<>();
    private int checks;

    private JentVerify() {}

    /** Runs every check; exit status 0 only if all of them passed. */
    public static void main(String[] args) throws Exception {
        JentVerify verify = new JentVerify();
        verify.printEnvironment();
        verify.checkProviderOrder();
        verify.checkApprovedOnlyMode();
        verify.checkStrongSecureRandom();
        verify.checkDefaultSecureRandom();
        verify.checkFipsSeedsComeFromStrongSource();
        verify.checkNewFipsDrbgDrawsFromJent();
        verify.checkTlsHandshake();
        System.exit(verify.summarise());
    }

    private void printEnvironment() {
        System.out.println("java.version=" + System.getProperty("java.version")
                + " java.vendor=" + System.getProperty("java.vendor")
                + " os.arch=" + System.getProperty("os.arch"));
        StringBuilder chain = new StringBuilder();
        for (Provider provider : Security.getProviders()) {
            chain.append(chain.length() == 0 ? "" : ", ")
                    .append(provider.getName()).append(' ').append(provider.getVersionStr());
        }
        System.out.println("providers=" + chain);
    }

    private void checkProviderOrder() {
        Provider[] providers = Security.getProviders();
        boolean fipsFirst = providers.length > 0 && FIPS_PROVIDER.equals(providers[0].getName());
        boolean tlsSecond = providers.length > 1 && TLS_PROVIDER.equals(providers[1].getName());
        boolean entropyPresent = Security.getProvider(ENTROPY_PROVIDER) != null;
        record("provider order",
                fipsFirst && tlsSecond && entropyPresent,
                "want BCFIPS first, BCJSSE second and JENT installed; have "
                        + (providers.length > 0 ? providers[0].getName() : "none") + ", "
                        + (providers.length > 1 ? providers[1].getName() : "none")
                        + ", JENT " + (entropyPresent ? "installed" : "missing"));
    }

    private void checkApprovedOnlyMode() {
        record("approved-only mode", CryptoServicesRegistrar.isInApprovedOnlyMode(),
                "CryptoServicesRegistrar.isInApprovedOnlyMode()="
                        + CryptoServicesRegistrar.isInApprovedOnlyMode());
    }

    private void checkStrongSecureRandom() {
        try {
            SecureRandom strong = SecureRandom.getInstanceStrong();
            byte[] seed = strong.generateSeed(32);
            boolean fromJent = ENTROPY_ALGORITHM.equals(strong.getAlgorithm())
                    && ENTROPY_PROVIDER.equals(strong.getProvider().getName());
            record("strong SecureRandom served by JENT",
                    fromJent && seed.length == 32 && !allZero(seed),
                    "getInstanceStrong() is " + strong.getAlgorithm() + "/"
                            + strong.getProvider().getName() + ", generateSeed(32) gave "
                            + seed.length + " bytes");
        } catch (Exception | Error e) {
            record("strong SecureRandom served by JENT", false, describe(e));
        }
    }

    private void checkDefaultSecureRandom() {
        try {
            SecureRandom random = new SecureRandom();
            byte[] bytes = new byte[64];
            random.nextBytes(bytes);
            record("default SecureRandom from BCFIPS",
                    FIPS_PROVIDER.equals(random.getProvider().getName()) && !allZero(bytes),
                    "new SecureRandom() is " + random.getAlgorithm() + "/"
                            + random.getProvider().getName());
        } catch (Exception | Error e) {
            record("default SecureRandom from BCFIPS", false, describe(e));
        }
    }

    /**
     * bc-fips 2.1 on x86_64 seeds its DRBGs from RDSEED/RDRAND through its own native library
     * whenever that library offers DRBG or NRBG, and then never asks the strong SecureRandom
     * (JENT). The profile has to switch that off; this check fails if it did not.
     */
    private void checkFipsSeedsComeFromStrongSource() {
        try {
            boolean nativeEnabled = CryptoServicesRegistrar.isNativeEnabled();
            NativeServices nativeServices = CryptoServicesRegistrar.getNativeServices();
            boolean nativeRandom = nativeEnabled
                    && (nativeServices.hasService(NativeServices.DRBG)
                            || nativeServices.hasService(NativeServices.NRBG));
            record("BCFIPS seeds from the strong SecureRandom, not its native RDSEED source",
                    !nativeRandom,
                    "native enabled=" + nativeEnabled + ", native DRBG="
                            + nativeServices.hasService(NativeServices.DRBG) + ", native NRBG="
                            + nativeServices.hasService(NativeServices.NRBG) + " ("
                            + nativeServices.getStatusMessage() + ")");
        } catch (Exception | Error e) {
            record("BCFIPS seeds from the strong SecureRandom, not its native RDSEED source",
                    false, describe(e));
        }
    }

    /**
     * A fresh BCFIPS DRBG with prediction resistance must take its seed from JENT at once, so
     * JENT's request and byte counters (from the provider's status JSON) have to rise across
     * its first draw. The provider is reached by reflection: the verifier is compiled against
     * the Bouncy Castle jars only.
     */
    private void checkNewFipsDrbgDrawsFromJent() {
        String check = "a new BCFIPS DRBG draws its seed from JENT";
        try {
            long[] before = jentCounters();
            SecureRandom drbg = SecureRandom.getInstance("DEFAULT",
                    DrbgParameters.instantiation(256, DrbgParameters.Capability.PR_AND_RESEED,
                            null),
                    FIPS_PROVIDER);
            drbg.nextBytes(new byte[32]);
            long[] after = jentCounters();
            record(check, after[0] > before[0] && after[1] > before[1],
                    "JENT requests " + before[0] + " -> " + after[0] + ", bytes " + before[1]
                            + " -> " + after[1]);
        } catch (Exception | Error e) {
            record(check, false, describe(e));
        }
    }

    /**
     * JENT's {requests, bytes} totals over all its collectors and callers: the flat object
     * {@code "total"} inside {@code "served"} of {@code dev.jent.Jent.statusJson()}.
     */
    private static long[] jentCounters() throws ReflectiveOperationException {
        String status = String.valueOf(
                Class.forName("dev.jent.Jent").getMethod("statusJson").invoke(null));
        Matcher total = Pattern.compile("\"total\"\\s*:\\s*\\{([^{}]*)\\}").matcher(status);
        if (!total.find()) {
            throw new IllegalStateException("no \"total\" counters in JENT status " + status);
        }
        return new long[] {jsonCounter(total.group(1), "requests"),
            jsonCounter(total.group(1), "bytes")};
    }

    private static long jsonCounter(String json, String field) {
        Matcher matcher = Pattern.compile("\"" + field + "\"\\s*:\\s*(\\d+)").matcher(json);
        if (!matcher.find()) {
            throw new IllegalStateException(
                    "no counter \"" + field + "\" in JENT status " + json);
        }
        return Long.parseLong(matcher.group(1));
    }

    /**
     * A server and a client socket in this JVM complete a handshake over 127.0.0.1 and trade
     * one line each way. Key, certificate and stores are made by BCFIPS, the SSLContext and
     * key/trust managers come from the profile's defaults, which must resolve to BCJSSE.
     */
    private void checkTlsHandshake() {
        ExecutorService serverThread = Executors.newSingleThreadExecutor();
        try {
            char[] password = newStorePassword();
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", FIPS_PROVIDER);
            generator.initialize(new ECGenParameterSpec("P-256"));
            KeyPair keyPair = generator.generateKeyPair();
            X509Certificate certificate = selfSignedCertificate(keyPair);

            KeyStore keyStore = KeyStore.getInstance("BCFKS", FIPS_PROVIDER);
            keyStore.load(null, null);
            keyStore.setKeyEntry("server", keyPair.getPrivate(), password,
                    new Certificate[] {certificate});
            KeyStore trustStore = KeyStore.getInstance("BCFKS", FIPS_PROVIDER);
            trustStore.load(null, null);
            trustStore.setCertificateEntry("server", certificate);

            KeyManagerFactory keyManagers =
                    KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keyStore, password);
            TrustManagerFactory trustManagers =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trustStore);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);

            InetAddress loopback = InetAddress.getByName("127.0.0.1");
            try (SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory()
                    .createServerSocket(0, 1, loopback)) {
                server.setSoTimeout(HANDSHAKE_TIMEOUT_MILLIS);
                Future<String> served = serverThread.submit(() -> answerOneClient(server));
                String reply;
                SSLSession session;
                try (SSLSocket client = (SSLSocket) context.getSocketFactory()
                        .createSocket(loopback, server.getLocalPort())) {
                    client.setSoTimeout(HANDSHAKE_TIMEOUT_MILLIS);
                    client.startHandshake();
                    session = client.getSession();
                    Writer out = new OutputStreamWriter(client.getOutputStream(),
                            StandardCharsets.UTF_8);
                    out.write("ping\n");
                    out.flush();
                    reply = new BufferedReader(new InputStreamReader(client.getInputStream(),
                            StandardCharsets.UTF_8)).readLine();
                }
                String heard = served.get(HANDSHAKE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                boolean viaBc = TLS_PROVIDER.equals(context.getProvider().getName())
                        && TLS_PROVIDER.equals(keyManagers.getProvider().getName())
                        && TLS_PROVIDER.equals(trustManagers.getProvider().getName());
                record("TLS handshake through BCJSSE",
                        viaBc && "ping".equals(heard) && "pong".equals(reply),
                        "SSLContext " + context.getProvider().getName()
                                + ", KeyManagerFactory " + keyManagers.getAlgorithm() + "/"
                                + keyManagers.getProvider().getName()
                                + ", TrustManagerFactory " + trustManagers.getAlgorithm() + "/"
                                + trustManagers.getProvider().getName()
                                + ", " + session.getProtocol() + " " + session.getCipherSuite()
                                + ", exchanged " + heard + "/" + reply);
            }
        } catch (Exception | Error e) {
            record("TLS handshake through BCJSSE", false, describe(e));
        } finally {
            serverThread.shutdownNow();
        }
    }

    private static String answerOneClient(SSLServerSocket server) throws IOException {
        try (SSLSocket peer = (SSLSocket) server.accept()) {
            peer.setSoTimeout(HANDSHAKE_TIMEOUT_MILLIS);
            String line = new BufferedReader(new InputStreamReader(peer.getInputStream(),
                    StandardCharsets.UTF_8)).readLine();
            Writer out = new OutputStreamWriter(peer.getOutputStream(), StandardCharsets.UTF_8);
            out.write("pong\n");
            out.flush();
            return line;
        }
    }

    private static X509Certificate selfSignedCertificate(KeyPair keyPair) throws Exception {
        X500Name subject = new X500Name("CN=jent-verify");
        long now = System.currentTimeMillis();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                BigInteger.valueOf(now), new Date(now - 60_000L), new Date(now + 3_600_000L),
                subject, keyPair.getPublic());
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA")
                .setProvider(FIPS_PROVIDER).build(keyPair.getPrivate());
        return new JcaX509CertificateConverter().setProvider(FIPS_PROVIDER)
                .getCertificate(builder.build(signer));
    }

    // Approved-mode PBKDF2 in BCFKS refuses passwords shorter than 14 characters.
    private static char[] newStorePassword() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return String.format("%032x", new BigInteger(1, bytes)).toCharArray();
    }

    private static boolean allZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder(failure.toString());
        for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
            text.append(" <- ").append(cause);
        }
        return text.toString();
    }

    private void record(String check, boolean passed, String detail) {
        checks++;
        if (!passed) {
            failures.add(check);
        }
        System.out.println((passed ? "PASS " : "FAIL ") + check + ": " + detail);
    }

    private int summarise() {
        if (failures.isEmpty()) {
            System.out.println("jent-verify: all " + checks + " checks passed");
            return 0;
        }
        System.out.println("jent-verify: " + failures.size() + " of " + checks
                + " checks failed: " + String.join(", ", failures));
        return 1;
    }
}
