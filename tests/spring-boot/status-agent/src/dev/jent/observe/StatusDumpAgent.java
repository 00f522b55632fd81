package dev.jent.observe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.Provider;
import java.security.Security;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-only Java agent: when the JVM shuts down it writes which security providers the JVM
 * used and the JENT provider's status JSON (with its request and byte counters) to the file
 * named by the agent argument.
 *
 * <p>It lets tests/spring-boot see inside an application that must stay unchanged: the agent
 * is added from outside ({@code -javaagent:status-agent.jar=FILE}) and reads only public API.
 * JENT is reached by reflection, so the agent loads even where JENT is missing and reports that.
 */
public final class StatusDumpAgent {

    private StatusDumpAgent() {}

    /**
     * Registers the shutdown hook.
     *
     * @param outputFile where to write the report at shutdown
     */
    public static void premain(String outputFile) {
        if (outputFile == null || outputFile.isEmpty()) {
            throw new IllegalArgumentException("usage: -javaagent:status-agent.jar=OUTPUT_FILE");
        }
        Path target = Paths.get(outputFile);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> write(target), "jent-status-dump"));
    }

    private static void write(Path target) {
        List<String> lines = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Provider provider : Security.getProviders()) {
            names.add(provider.getName());
        }
        lines.add("providers=" + String.join(",", names));
        try {
            Object status = Class.forName("dev.jent.Jent").getMethod("statusJson").invoke(null);
            lines.add("jent.status=" + status);
        } catch (ReflectiveOperationException | LinkageError e) {
            lines.add("jent.error=" + e);
        }
        try {
            Files.write(target, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.err.println("status-agent: cannot write " + target + ": " + e);
        }
    }
}
