package com.example.probe;

import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.util.StringJoiner;
import javax.net.ssl.SSLContext;

/**
 * Stands for an ordinary application that was never told about FIPS: it uses only JDK APIs
 * and prints, one "key=value" per line, which providers the JVM around it chose. The container
 * tests start it with plain `java -jar` and `java -cp`, and in a sandbox without kernel
 * randomness, and compare the lines with what the JENT profile promises.
 *
 * <p>Exits with status 2 if drawing random bytes fails, after printing the exception.
 */
public final class ProfileProbe {

    private ProfileProbe() {}

    /** Prints the provider choices, then draws from the default and the strong SecureRandom. */
    public static void main(String[] args) throws Exception {
        StringJoiner providers = new StringJoiner(",");
        for (Provider provider : Security.getProviders()) {
            providers.add(provider.getName());
        }
        System.out.println("providers=" + providers);
        System.out.println("keystore.default=" + KeyStore.getDefaultType());
        System.out.println("tls.provider=" + SSLContext.getInstance("TLS").getProvider().getName());
        System.out.println("approved.only=" + approvedOnlyMode());

        try {
            SecureRandom random = new SecureRandom();
            random.nextBytes(new byte[32]);
            System.out.println("default.securerandom=" + random.getAlgorithm() + "/"
                    + random.getProvider().getName());

            SecureRandom strong = SecureRandom.getInstanceStrong();
            int seedLength = strong.generateSeed(32).length;
            System.out.println("strong.securerandom=" + strong.getAlgorithm() + "/"
                    + strong.getProvider().getName() + " seed=" + seedLength);
        } catch (RuntimeException | Error | java.security.GeneralSecurityException e) {
            System.out.println("random.failure=" + e);
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                System.out.println("random.cause=" + cause);
            }
            System.exit(2);
        }
    }

    // Through reflection, because an unchanged application has no Bouncy Castle dependency;
    // "absent" when the JVM has no BC-FJA at all.
    private static String approvedOnlyMode() {
        try {
            Class<?> registrar = Class.forName("org.bouncycastle.crypto.CryptoServicesRegistrar");
            return String.valueOf(registrar.getMethod("isInApprovedOnlyMode").invoke(null));
        } catch (ClassNotFoundException e) {
            return "absent";
        } catch (ReflectiveOperationException e) {
            return "error " + e;
        }
    }
}
