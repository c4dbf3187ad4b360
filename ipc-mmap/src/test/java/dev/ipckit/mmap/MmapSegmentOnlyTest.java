package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.spi.JavaCommand;

/**
 * A sender and a receiver that use only {@code offer(MemorySegment)} and {@code poll(SegmentHandler, ...)} run over
 * the default ring in two JVMs started with {@code --enable-native-access} alone: without Agrona's
 * {@code --add-exports}, any {@code UnsafeBuffer} on the path would end them with an {@code IllegalAccessError}.
 */
class MmapSegmentOnlyTest {
    private static final int COUNT = 200_000;

    @TempDir
    Path dir;

    private Process start(final String role, final String uri, final Path out) throws IOException {
        final List<String> command = List.of(JavaCommand.javaExecutable(), "--enable-native-access=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"), SegmentOnlyPeer.class.getName(), role, uri,
            Integer.toString(COUNT));
        return new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(out.toFile())
            .redirectErrorStream(true).start();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldCarryMessagesWithoutAgronasFlag() throws Exception {
        final String uri = "mmap:" + dir.resolve("segments") + "?capacity=64k&wait=backoff";
        final Path receiverOut = dir.resolve("receiver.out");
        final Path senderOut = dir.resolve("sender.out");
        final Process receiver = start("recv", uri, receiverOut);
        final Process sender = start("send", uri, senderOut);
        try {
            assertEquals(0, sender.waitFor(), () -> "sender: " + read(senderOut));
            assertEquals(0, receiver.waitFor(), () -> "receiver: " + read(receiverOut));
            assertEquals(List.of("received " + COUNT), Files.readAllLines(receiverOut, StandardCharsets.UTF_8));
        } finally {
            sender.destroyForcibly();
            receiver.destroyForcibly();
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRefuseTheAgronaFormsWithASentenceNamingTheFlagWhenAgronasFlagIsMissing() throws Exception {
        final String uri = "mmap:" + dir.resolve("agrona-forms") + "?capacity=64k";
        final Path out = dir.resolve("agrona.out");
        final Process peer = start("agrona", uri, out);
        assertEquals(0, peer.waitFor(), () -> "peer: " + read(out));
        final List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8).stream()
            .filter(line -> !line.startsWith("WARNING")).toList();
        assertEquals(2, lines.size(), lines.toString());
        for (final String line : lines) {
            org.junit.jupiter.api.Assertions.assertTrue(line.startsWith("refused ChannelException: ")
                && line.contains("--add-exports java.base/jdk.internal.misc=ALL-UNNAMED"), line);
        }
    }

    private static String read(final Path file) {
        try {
            return Files.readString(file);
        } catch (final IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
