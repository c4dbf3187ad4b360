package embed.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A producer and a consumer in two JVMs started as an embedder starts them: only enable-native-access, never
 * add-exports. What either process printed (stack traces included) is in the failure message.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TwoProcessTest {
    private static final long COUNT = 20_000;
    private static final Path CLASSES = Path.of("target", "classes").toAbsolutePath();
    private static final Path RUNTIME = Path.of("target", "runtime").toAbsolutePath();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} on the {1} path")
    @CsvSource({"mmap, class", "mmap, module", "fifo, class", "fifo, module"})
    void shouldMoveEveryMessageBetweenTwoProcessesWithoutAddExports(final String transport, final String path)
        throws Exception {
        final String uri = switch (transport) {
            case "mmap" -> "mmap:" + dir.resolve("ring") + "?capacity=64k";
            case "fifo" -> "fifo:" + dir.resolve("fifo") + "?timeout=30s";
            default -> throw new IllegalArgumentException(transport);
        };
        final Process consumer = start(path, "Consumer", uri, "consumer");
        final Process producer = start(path, "Producer", uri, "producer");
        final int producerExit = await(producer);
        final int consumerExit = await(consumer);
        final String report = report("producer") + report("consumer");
        assertEquals(0, producerExit, report);
        assertEquals(0, consumerExit, report);
        assertTrue(output("producer").contains("producer: sent " + COUNT), report);
        assertTrue(output("consumer").contains("consumer: received " + COUNT + ", all checked"), report);
        for (final String process : List.of("producer", "consumer")) {
            final String err = errors(process);
            assertFalse(err.contains("IllegalAccessError") || err.contains("jdk.internal.misc"), report);
            // Every restricted call ipckit makes is in dev.ipckit.core, the one module the flag names.
            assertFalse(err.contains("restricted method"), report);
        }
    }

    @Test
    void shouldDescribeEachIpckitJarAsANamedModule() throws Exception {
        for (final String module : List.of("core", "fifo", "mmap", "signal")) {
            final Path jar;
            try (Stream<Path> jars = Files.list(RUNTIME)) {
                jar = jars.filter(p -> p.getFileName().toString().startsWith("ipckit-" + module + "-")).findFirst()
                    .orElseThrow(() -> new AssertionError("no ipckit-" + module + " jar in " + RUNTIME));
            }
            final Path out = dir.resolve(module + ".txt");
            final Process jarTool = new ProcessBuilder(tool("jar"), "--describe-module", "--file", jar.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            assertEquals(0, await(jarTool), Files.readString(out));
            final List<String> lines = Files.readAllLines(out);
            assertTrue(lines.get(0).startsWith("dev.ipckit." + module + "@"), lines.toString());
            switch (module) {
                case "core" -> {
                    assertTrue(lines.contains("uses dev.ipckit.spi.ChannelProvider"), lines.toString());
                    assertTrue(lines.contains("uses dev.ipckit.spi.WakeupProvider"), lines.toString());
                    assertTrue(lines.contains("exports dev.ipckit"), lines.toString());
                }
                case "fifo" -> assertTrue(lines.contains("provides dev.ipckit.spi.ChannelProvider with "
                    + "dev.ipckit.fifo.FifoChannelProvider dev.ipckit.fifo.PipeChannelProvider"), lines.toString());
                case "mmap" -> assertTrue(lines.contains("provides dev.ipckit.spi.ChannelProvider with "
                    + "dev.ipckit.mmap.MmapChannelProvider"), lines.toString());
                case "signal" -> assertTrue(lines.contains("provides dev.ipckit.spi.WakeupProvider with "
                    + "dev.ipckit.signal.SignalWakeupProvider"), lines.toString());
                default -> throw new AssertionError(module);
            }
        }
    }

    private Process start(final String path, final String main, final String uri, final String name)
        throws IOException {
        final List<String> command = new ArrayList<>(List.of(tool("java")));
        if (path.equals("module")) {
            command.addAll(List.of("--enable-native-access=dev.ipckit.core",
                "--module-path", CLASSES + File.pathSeparator + RUNTIME, "--module", "embed.app/embed.app." + main));
        } else {
            command.addAll(List.of("--enable-native-access=ALL-UNNAMED",
                "-cp", CLASSES + File.pathSeparator + RUNTIME + File.separator + "*", "embed.app." + main));
        }
        command.addAll(List.of(uri, Long.toString(COUNT)));
        return new ProcessBuilder(command).redirectOutput(dir.resolve(name + ".out").toFile())
            .redirectError(dir.resolve(name + ".err").toFile()).start();
    }

    private static int await(final Process process) throws InterruptedException {
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError("process " + process.pid() + " still ran after 120 s; killed it");
        }
        return process.exitValue();
    }

    private String output(final String name) throws IOException {
        return Files.readString(dir.resolve(name + ".out"));
    }

    private String errors(final String name) throws IOException {
        return Files.readString(dir.resolve(name + ".err"));
    }

    private String report(final String name) throws IOException {
        return "\n--- " + name + " stdout:\n" + output(name) + "--- " + name + " stderr:\n" + errors(name);
    }

    private static String tool(final String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }
}
