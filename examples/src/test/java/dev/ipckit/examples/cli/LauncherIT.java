package dev.ipckit.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.spi.JavaCommand;

/**
 * The {@code ./ipckit} launcher itself, run after the jars are packaged: through symbolic links, from a working
 * directory outside the repository, with the class path each command needs. {@code IPCKIT_NO_BUILD} makes it fail
 * rather than start a build of its own if the jars were stale.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LauncherIT {
    private static final Path ROOT = Path.of(System.getProperty("ipckit.root", "..")).toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void shouldRunThroughAChainOfSymbolicLinksFromAnyWorkingDirectory() throws Exception {
        final Path bin = Files.createDirectories(dir.resolve("home/bin"));
        final Path tools = Files.createDirectories(dir.resolve("tools"));
        Files.createSymbolicLink(tools.resolve("ipckit"), ROOT.resolve("ipckit"));
        Files.createSymbolicLink(bin.resolve("ipckit"), Path.of("../../tools/ipckit")); // relative, to a link
        final Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));

        final Result bare = run(elsewhere, bin.resolve("ipckit").toString());
        assertEquals(0, bare.exitCode(), bare.toString());
        assertTrue(bare.out().contains("transports on the class path: aeron, fifo, mmap, pipe"), bare.toString());

        final Result relative = run(bin, "./ipckit", "--help"); // a relative name, resolved in the working directory
        assertEquals(0, relative.exitCode(), relative.toString());
        assertTrue(relative.out().contains("Usage: ipckit"), relative.toString());

        final Result viaPath = run(elsewhere, "/bin/sh", "-c", "PATH=\"$1:$PATH\" exec ipckit --help", "sh",
            bin.toString()); // linked into a bin directory on the PATH
        assertEquals(0, viaPath.exitCode(), viaPath.toString());
        assertTrue(viaPath.out().contains("Usage: ipckit"), viaPath.toString());
    }

    @Test
    void shouldSendAndReceiveThroughALinkWithTheSignalModuleOnTheClassPath() throws Exception {
        final Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("ipckit"), ROOT.resolve("ipckit"));
        final String uri = "mmap:" + dir.resolve("ring") + "?capacity=64k&wait=signal";
        final Launched recv = start(dir, bin.resolve("ipckit").toString(), "recv", uri, "--count", "2000", "--verify");
        final Result send = run(dir, bin.resolve("ipckit").toString(), "send", uri, "--count", "2000", "--size", "64");
        final Result received = finish(recv);
        assertEquals(0, send.exitCode(), send.toString());
        assertEquals(0, received.exitCode(), received + "\nsend: " + send);
    }

    @Test
    void shouldRunBenchFromTheBenchmarkJarAndKeepItsLibrariesOffTheOtherCommands() throws Exception {
        final Result bench = run(dir, ROOT.resolve("ipckit").toString(), "bench", "--row", "mmap/turbo");
        assertEquals(Main.EXIT_USAGE, bench.exitCode(), bench.toString());
        assertTrue(bench.err().startsWith("ipckit bench: row=mmap/turbo is in neither table"), bench.toString());

        try (Stream<Path> jars = Files.list(ROOT.resolve("examples/target/lib"))) {
            final List<String> names = jars.map(jar -> jar.getFileName().toString()).sorted().toList();
            assertTrue(names.stream().anyMatch(name -> name.startsWith("ipckit-signal-")), names.toString());
            assertTrue(names.stream().noneMatch(name -> name.matches("(?i).*(jmh|hdrhistogram|bench).*")),
                "the commands' class path carries no benchmark library (Aeron's are there for aeron:udp): " + names);
        }
    }

    @Test
    void shouldDescribeTheExamplesJarAsANamedModule() throws Exception {
        final Path jar;
        try (Stream<Path> jars = Files.list(ROOT.resolve("examples/target"))) {
            jar = jars.filter(p -> p.getFileName().toString().matches("ipckit-examples-.*(?<!-tests|-sources|-javadoc)"
                + "\\.jar")).findFirst().orElseThrow();
        }
        final Result described = run(dir, Path.of(System.getProperty("java.home"), "bin", "jar").toString(),
            "--describe-module", "--file", jar.toString());
        assertEquals(0, described.exitCode(), described.toString());
        assertTrue(described.out().startsWith("dev.ipckit.examples@"), described.toString());
        assertTrue(described.out().contains("requires dev.ipckit.bench static"), described.toString());
    }

    private record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
        }
    }

    private record Launched(Process process, Path out, Path err) {
    }

    private Launched start(final Path workingDirectory, final String... command) throws IOException {
        final String name = "launched-" + System.nanoTime();
        final Path out = dir.resolve(name + ".out");
        final Path err = dir.resolve(name + ".err");
        final ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile())
            .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("IPCKIT_NO_BUILD", "1");
        builder.environment().put("IPCKIT_JAVA", JavaCommand.javaExecutable());
        return new Launched(builder.start(), out, err);
    }

    private Result run(final Path workingDirectory, final String... command) throws Exception {
        return finish(start(workingDirectory, command));
    }

    private static Result finish(final Launched launched) throws Exception {
        final Process process = launched.process();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError("the launcher (pid " + process.pid() + ") still ran after 120 s; killed it");
        }
        return new Result(process.exitValue(), Files.readString(launched.out()), Files.readString(launched.err()));
    }
}
