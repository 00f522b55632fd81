import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.TimeZone;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Runs the operations an ordinary TLS application needs, through the plain JCA/JSSE API and
 * whatever providers the runtime is configured with, and prints one line per operation:
 * {@code OK <name> <detail>} or {@code FAIL <name> <exception>}.
 *
 * <p>tests/kernel-independence/run.sh starts it inside {@code no-kernel-random}, where the
 * kernel gives no randomness at all: with the jent-fips profile every line must be OK, on the
 * same runtime without it the random operations must fail. The program itself names no
 * provider, so the profile alone decides who does the work.
 *
 * <p>Exit status: 0 when every operation succeeded, 1 when any failed, 2 for a bad argument.
 * Usage: {@code KernelIndependenceCheck [--expect-strong-provider NAME]}.
 */
public final class KernelIndependenceCheck {

    /** Guards every socket read and the server thread, so a stuck handshake fails the run. */
    private static final int TIMEOUT_MILLIS = 60_000;

    /**
     * Protects the in-memory key entry. BCFKS in approved mode derives the protection key with
     * PBKDF2, which refuses passwords shorter than 14 characters.
     */
    private static final char[] KEY_PASSWORD = "kernel-independence-check".toCharArray();

    private static final byte[] MESSAGE =
            "kernel independence check message".getBytes(StandardCharsets.US_ASCII);

    /** One operation; returns the detail printed after OK, throws on failure. */
    private interface Operation {
        String run() throws Exception;
    }

    /** Results of earlier operations that later ones build on. */
    private KeyPair ecKeyPair;
    private KeyPair rsaKeyPair;

    private KernelIndependenceCheck() {}

    /**
     * Runs every operation and exits with the status described in the class comment.
     *
     * @param args optionally {@code --expect-strong-provider NAME}
     */
    public static void main(String[] args) {
        String expectedStrongProvider = null;
        if (args.length == 2 && args[0].equals("--expect-strong-provider")) {
            expectedStrongProvider = args[1];
        } else if (args.length != 0) {
            System.err.println("usage: KernelIndependenceCheck [--expect-strong-provider NAME]");
            System.exit(2);
        }

        printRuntime();
        int failures = new KernelIndependenceCheck().runAll(expectedStrongProvider);
        System.exit(failures == 0 ? 0 : 1);
    }

    /** Names the runtime and its provider list, so a log shows what was tested. */
    private static void printRuntime() {
        System.out.println("INFO java " + System.getProperty("java.version")
                + " at " + System.getProperty("java.home"));
        List<String> names = new ArrayList<>();
        for (Provider provider : Security.getProviders()) {
            names.add(provider.getName());
        }
        System.out.println("INFO providers " + String.join(" ", names));
        System.out.println("INFO securerandom.strongAlgorithms "
                + Security.getProperty("securerandom.strongAlgorithms"));
    }

    private int runAll(String expectedStrongProvider) {
        List<String> names = new ArrayList<>();
        List<Operation> operations = new ArrayList<>();
        names.add("secure-random-default");
        operations.add(this::secureRandomDefault);
        names.add("secure-random-strong");
        operations.add(() -> secureRandomStrong(expectedStrongProvider));
        names.add("ec-p256-keygen");
        operations.add(this::ecKeyGeneration);
        names.add("rsa-2048-keygen");
        operations.add(this::rsaKeyGeneration);
        names.add("ecdsa-p256-sign-verify");
        operations.add(() -> signAndVerify("SHA256withECDSA", ecKeyPair, "ec-p256-keygen"));
        names.add("rsa-2048-sign-verify");
        operations.add(() -> signAndVerify("SHA256withRSA", rsaKeyPair, "rsa-2048-keygen"));
        names.add("aes-256-gcm");
        operations.add(this::aesGcm);
        names.add("ecdh-p256");
        operations.add(this::ecdhAgreement);
        names.add("tls13-loopback");
        operations.add(this::tls13Handshake);

        int failures = 0;
        for (int i = 0; i < operations.size(); i++) {
            if (!report(names.get(i), operations.get(i))) {
                failures++;
            }
        }
        System.out.println(failures == 0
                ? "RESULT all " + operations.size() + " operations OK"
                : "RESULT " + failures + " of " + operations.size() + " operations FAILED");
        return failures;
    }

    /** Runs one operation and prints its line; any Throwable counts as a failure. */
    private static boolean report(String name, Operation operation) {
        long started = System.nanoTime();
        try {
            String detail = operation.run();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            System.out.printf("OK   %-24s %s (%d ms)%n", name, detail, millis);
            return true;
        } catch (Throwable failure) {
            // Print the root cause too: "init failed" alone does not say why.
            Throwable root = failure;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String cause = root == failure ? "" : " <- caused by " + root;
            System.out.printf("FAIL %-24s %s%s%n", name, failure, cause);
            return false;
        }
    }

    private String secureRandomDefault() {
        SecureRandom random = new SecureRandom();
        return drawTwice(random);
    }

    private String secureRandomStrong(String expectedProvider) throws Exception {
        SecureRandom random = SecureRandom.getInstanceStrong();
        String provider = random.getProvider().getName();
        if (expectedProvider != null && !expectedProvider.equals(provider)) {
            throw new IllegalStateException("the strong source is " + random.getAlgorithm()
                    + " from " + provider + ", expected provider " + expectedProvider);
        }
        return drawTwice(random);
    }

    /**
     * Draws two 32-byte blocks; equal blocks (or an all-zero one) would mean the generator is
     * not producing anything, which the caller must not mistake for success.
     */
    private static String drawTwice(SecureRandom random) {
        byte[] first = new byte[32];
        byte[] second = new byte[32];
        random.nextBytes(first);
        random.nextBytes(second);
        if (Arrays.equals(first, second) || Arrays.equals(first, new byte[32])) {
            throw new IllegalStateException("two draws of 32 bytes are equal or all zero");
        }
        return "2 x 32 bytes from " + random.getAlgorithm() + " (" + random.getProvider().getName()
                + ")";
    }

    private String ecKeyGeneration() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        ecKeyPair = generator.generateKeyPair();
        return "EC secp256r1 key pair (" + generator.getProvider().getName() + ")";
    }

    private static KeyPair newEcKeyPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private String rsaKeyGeneration() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        rsaKeyPair = generator.generateKeyPair();
        return "RSA 2048 key pair (" + generator.getProvider().getName() + ")";
    }

    /** Signs, verifies, and checks that a changed message no longer verifies. */
    private static String signAndVerify(String algorithm, KeyPair keys, String keySource)
            throws Exception {
        if (keys == null) {
            throw new IllegalStateException("no key pair: " + keySource + " failed");
        }
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(keys.getPrivate());
        signer.update(MESSAGE);
        byte[] signature = signer.sign();

        if (!verify(algorithm, keys.getPublic(), MESSAGE, signature)) {
            throw new IllegalStateException("a fresh signature does not verify");
        }
        byte[] changed = MESSAGE.clone();
        changed[0] ^= 1;
        if (verify(algorithm, keys.getPublic(), changed, signature)) {
            throw new IllegalStateException("the signature verifies a changed message");
        }
        return algorithm + " (" + signer.getProvider().getName() + ")";
    }

    private static boolean verify(String algorithm, PublicKey key, byte[] message, byte[] signature)
            throws Exception {
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(key);
        verifier.update(message);
        return verifier.verify(signature);
    }

    /**
     * Encrypts with an IV the provider generates (FIPS approved mode wants the module to make
     * GCM IVs), decrypts, and checks that a changed ciphertext is rejected.
     */
    private String aesGcm() throws Exception {
        KeyGenerator keyGenerator = KeyGenerator.getInstance("AES");
        keyGenerator.init(256);
        SecretKey key = keyGenerator.generateKey();

        Cipher encryptor = Cipher.getInstance("AES/GCM/NoPadding");
        encryptor.init(Cipher.ENCRYPT_MODE, key);
        byte[] ciphertext = encryptor.doFinal(MESSAGE);
        GCMParameterSpec parameters = new GCMParameterSpec(128, encryptor.getIV());

        Cipher decryptor = Cipher.getInstance("AES/GCM/NoPadding");
        decryptor.init(Cipher.DECRYPT_MODE, key, parameters);
        if (!Arrays.equals(MESSAGE, decryptor.doFinal(ciphertext))) {
            throw new IllegalStateException("decryption does not give the plaintext back");
        }

        ciphertext[0] ^= 1;
        decryptor.init(Cipher.DECRYPT_MODE, key, parameters);
        try {
            decryptor.doFinal(ciphertext);
            throw new IllegalStateException("a changed ciphertext was accepted");
        } catch (AEADBadTagException expected) {
            // The tag check caught the change, as it must.
        }
        return "AES-256/GCM, " + encryptor.getIV().length + "-byte IV from the provider ("
                + encryptor.getProvider().getName() + ")";
    }

    /** Two parties with fresh P-256 keys must arrive at the same shared secret. */
    private String ecdhAgreement() throws Exception {
        KeyPair alice = newEcKeyPair();
        KeyPair bob = newEcKeyPair();
        byte[] aliceSecret = agree(alice.getPrivate(), bob.getPublic());
        byte[] bobSecret = agree(bob.getPrivate(), alice.getPublic());
        if (!Arrays.equals(aliceSecret, bobSecret)) {
            throw new IllegalStateException("the two sides computed different secrets");
        }
        return aliceSecret.length + "-byte shared secret ("
                + KeyAgreement.getInstance("ECDH").getProvider().getName() + ")";
    }

    private static byte[] agree(PrivateKey own, PublicKey other) throws Exception {
        KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
        agreement.init(own);
        agreement.doPhase(other, true);
        return agreement.generateSecret();
    }

    /**
     * A TLS 1.3 server and client in this JVM, on 127.0.0.1, with a self-signed P-256
     * certificate held in memory: handshake, then one message each way.
     */
    private String tls13Handshake() throws Exception {
        KeyPair serverKeys = newEcKeyPair();
        X509Certificate certificate = selfSignedCertificate(serverKeys, "localhost");

        // Key and trust material in the runtime's default key store type (BCFKS under the
        // profile), never written to disk.
        KeyStore keyStore = KeyStore.getInstance(KeyStore.getDefaultType());
        keyStore.load(null, null);
        keyStore.setKeyEntry("server", serverKeys.getPrivate(), KEY_PASSWORD,
                new Certificate[] {certificate});
        KeyStore trustStore = KeyStore.getInstance(KeyStore.getDefaultType());
        trustStore.load(null, null);
        trustStore.setCertificateEntry("server", certificate);

        KeyManagerFactory keyManagers =
                KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keyStore, KEY_PASSWORD);
        TrustManagerFactory trustManagers =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trustStore);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);

        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        ExecutorService serverThread = Executors.newSingleThreadExecutor();
        try (SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 1, loopback)) {
            server.setEnabledProtocols(new String[] {"TLSv1.3"});
            server.setSoTimeout(TIMEOUT_MILLIS);
            Future<String> served = serverThread.submit(() -> serveOnce(server));

            String reply;
            SSLSession session;
            try (SSLSocket client = (SSLSocket) context.getSocketFactory()
                    .createSocket(loopback, server.getLocalPort())) {
                client.setEnabledProtocols(new String[] {"TLSv1.3"});
                client.setSoTimeout(TIMEOUT_MILLIS);
                client.startHandshake();
                session = client.getSession();
                DataOutputStream out = new DataOutputStream(client.getOutputStream());
                out.writeUTF("ping");
                out.flush();
                reply = new DataInputStream(client.getInputStream()).readUTF();
            }
            String heard = served.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);

            if (!"TLSv1.3".equals(session.getProtocol())) {
                throw new IllegalStateException("negotiated " + session.getProtocol());
            }
            if (!"ping".equals(heard) || !"pong".equals(reply)) {
                throw new IllegalStateException("server heard '" + heard + "', client '" + reply
                        + "'");
            }
            return session.getProtocol() + " " + session.getCipherSuite() + " ("
                    + context.getProvider().getName() + ", key store "
                    + keyStore.getType() + ")";
        } finally {
            serverThread.shutdownNow();
        }
    }

    /** Accepts one connection, reads one message and answers it. */
    private static String serveOnce(SSLServerSocket server) throws Exception {
        try (SSLSocket connection = (SSLSocket) server.accept()) {
            connection.setSoTimeout(TIMEOUT_MILLIS);
            String heard = new DataInputStream(connection.getInputStream()).readUTF();
            DataOutputStream out = new DataOutputStream(connection.getOutputStream());
            out.writeUTF("pong");
            out.flush();
            return heard;
        }
    }

    // --- A minimal self-signed X.509 v3 certificate, DER-encoded by hand -------------------
    //
    // The JDK has no public certificate builder, and using Bouncy Castle's would tie this
    // program to BC jars; a handful of DER elements keeps it to the plain JCA API.

    private static final int DER_INTEGER = 0x02;
    private static final int DER_BIT_STRING = 0x03;
    private static final int DER_OID = 0x06;
    private static final int DER_UTF8_STRING = 0x0c;
    private static final int DER_UTC_TIME = 0x17;
    private static final int DER_SEQUENCE = 0x30;
    private static final int DER_SET = 0x31;
    private static final int DER_CONTEXT_0 = 0xa0;

    /** ecdsa-with-SHA256, RFC 5758 section 3.2: 1.2.840.10045.4.3.2. */
    private static final byte[] OID_ECDSA_WITH_SHA256 =
            {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x04, 0x03, 0x02};
    /** id-at-commonName, RFC 5280 appendix A: 2.5.4.3. */
    private static final byte[] OID_COMMON_NAME = {0x55, 0x04, 0x03};

    private static X509Certificate selfSignedCertificate(KeyPair keys, String commonName)
            throws Exception {
        byte[] algorithm = der(DER_SEQUENCE, der(DER_OID, OID_ECDSA_WITH_SHA256));
        byte[] name = der(DER_SEQUENCE, der(DER_SET, der(DER_SEQUENCE,
                der(DER_OID, OID_COMMON_NAME),
                der(DER_UTF8_STRING, commonName.getBytes(StandardCharsets.UTF_8)))));
        long now = System.currentTimeMillis();
        byte[] validity = der(DER_SEQUENCE,
                utcTime(new Date(now - TimeUnit.HOURS.toMillis(1))),
                utcTime(new Date(now + TimeUnit.DAYS.toMillis(1))));

        byte[] toBeSigned = der(DER_SEQUENCE,
                der(DER_CONTEXT_0, der(DER_INTEGER, new byte[] {2})), // version 3
                der(DER_INTEGER, BigInteger.valueOf(now).toByteArray()), // serial number
                algorithm,
                name, // issuer
                validity,
                name, // subject
                keys.getPublic().getEncoded()); // SubjectPublicKeyInfo, already DER

        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(keys.getPrivate());
        signer.update(toBeSigned);
        byte[] signature = signer.sign();

        // A BIT STRING starts with the number of unused bits in its last byte: none here.
        byte[] signatureBits = new byte[signature.length + 1];
        System.arraycopy(signature, 0, signatureBits, 1, signature.length);
        byte[] encoded = der(DER_SEQUENCE, toBeSigned, algorithm, der(DER_BIT_STRING, signatureBits));

        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        return (X509Certificate) factory.generateCertificate(
                new java.io.ByteArrayInputStream(encoded));
    }

    private static byte[] utcTime(Date date) {
        SimpleDateFormat format = new SimpleDateFormat("yyMMddHHmmss'Z'");
        format.setTimeZone(TimeZone.getTimeZone("UTC"));
        return der(DER_UTC_TIME, format.format(date).getBytes(StandardCharsets.US_ASCII));
    }

    /** One DER element: tag, definite length (short or long form), then the joined contents. */
    private static byte[] der(int tag, byte[]... contents) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] part : contents) {
            body.write(part, 0, part.length);
        }
        int length = body.size();

        ByteArrayOutputStream element = new ByteArrayOutputStream();
        element.write(tag);
        if (length < 0x80) {
            element.write(length);
        } else {
            int lengthBytes = length < 0x100 ? 1 : length < 0x10000 ? 2 : 3;
            element.write(0x80 | lengthBytes);
            for (int shift = 8 * (lengthBytes - 1); shift >= 0; shift -= 8) {
                element.write(length >>> shift);
            }
        }
        element.write(body.toByteArray(), 0, length);
        return element.toByteArray();
    }
}
