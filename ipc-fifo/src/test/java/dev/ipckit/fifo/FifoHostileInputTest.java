package dev.ipckit.fifo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.ChannelException;
import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.conformance.ChildJvm;
import dev.ipckit.conformance.ConformancePeer;
import dev.ipckit.conformance.Reliability;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixPipes;
import dev.ipckit.posix.PosixProcess;

/**
 * What is not a FIFO of this user, or not ipckit frames, at a FIFO channel: garbage frames written by a raw writer
 * (negative, huge and past-the-end lengths, and seeded random streams) read by a receiver in a child JVM; links
 * (dangling, or to a regular file); a FIFO of another user; the mode of a new FIFO under a hostile umask. Each
 * is refused with a sentence naming the FIFO, nothing is created or written through a link, and no JVM crashes.
 * Extends {@link FifoChannelTest}, which refuses a regular file, a directory and a link to a FIFO.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class FifoHostileInputTest {
    private static final int MAX_MESSAGE = 4092;
    private static final Duration CHILD = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    private static byte[] frames(final int... lengths) {
        final ByteBuffer out = ByteBuffer.allocate(16_384).order(ByteOrder.LITTLE_ENDIAN);
        for (final int length : lengths) {
            out.putInt(length);
            if (length > 0 && length <= MAX_MESSAGE) {
                out.put(new byte[Math.min(length, out.remaining())]);
            }
        }
        final byte[] bytes = new byte[out.position()];
        out.flip().get(bytes);
        return bytes;
    }

    @Test
    void shouldNameTheFifoForEveryGarbageStreamAndDeliverOnlyTheWholeFramesBeforeIt() throws Exception {
        final List<byte[]> cases = new ArrayList<>();
        cases.add(frames(3, -5, 2));
        cases.add(frames(0, Integer.MIN_VALUE));
        cases.add(frames(7, 7, Integer.MAX_VALUE, 1));
        cases.add(frames(MAX_MESSAGE, MAX_MESSAGE + 1));
        final byte[] pastTheEnd = frames(5, 1000);
        cases.add(java.util.Arrays.copyOf(pastTheEnd, pastTheEnd.length + 10)); // announces 1000, 10 follow, then EOF
        cases.add(java.util.Arrays.copyOf(frames(9), 4 + 9 + 2)); // half a header after a frame
        final SplittableRandom random = new SplittableRandom(Reliability.chaosSeed());
        for (int i = 0; i < 30; i++) {
            final byte[] data = new byte[random.nextInt(4, 400)];
            random.nextBytes(data);
            cases.add(i % 2 == 0 ? java.util.Arrays.copyOf(data, random.nextInt(0, data.length))
                : trimmed(FrameDecoderProperty.recipe(data, 0, MAX_MESSAGE)));
        }
        final AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        final Thread writer = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < cases.size(); i++) {
                    awaitFile(dir.resolve("garbage-" + i + ".ready"));
                    writeRaw(dir.resolve("garbage-" + i + ".fifo"), trimmed(cases.get(i)));
                }
            } catch (final Throwable t) {
                writerFailure.set(t);
            }
        });
        final ChildJvm.Result result = ChildJvm.run(FifoHostilePeer.class, List.of("garbage", dir.toString(),
            Integer.toString(cases.size()), Integer.toString(MAX_MESSAGE)), dir, CHILD);
        writer.join(TimeUnit.MINUTES.toMillis(1));
        ChildJvm.assertNoCrashReport(dir);
        assertEquals(null, writerFailure.get());
        assertEquals(0, result.exitCode(), result.output().toString());
        assertEquals(cases.size(), result.output().size(), result.output().toString());
        int corrupt = 0;
        int cut = 0;
        for (int i = 0; i < cases.size(); i++) {
            final String[] outcome = result.output().get(i).split("\t", -1);
            final String fifo = "\"" + dir.resolve("garbage-" + i + ".fifo") + "\"";
            final FrameDecoderProperty.Model model = new FrameDecoderProperty.Model(trimmed(cases.get(i)), MAX_MESSAGE);
            assertEquals(Integer.toString(model.frames.size()), outcome[1], "case " + i + ": whole frames delivered");
            assertTrue(outcome[3].contains(fifo), "case " + i + " names the FIFO: " + outcome[3]);
            if (model.badLength != null) {
                corrupt++;
                assertEquals("ChannelException", outcome[2], "case " + i + ": " + outcome[3]);
                assertTrue(outcome[3].contains("is corrupt: a frame header announces length=" + model.badLength
                    + ", outside 0..maxMessageLength=" + MAX_MESSAGE), "case " + i + ": " + outcome[3]);
            } else {
                assertEquals("PeerGoneException", outcome[2], "case " + i + ": " + outcome[3]);
                if (model.partial > 0) {
                    cut++;
                    assertTrue(outcome[3].contains("its " + model.partial + " bytes were discarded"), outcome[3]);
                }
            }
        }
        assertTrue(corrupt >= 4 && cut >= 2, corrupt + " corrupt, " + cut + " cut short");
        System.out.println("hostile FIFO frames: " + cases.size() + " garbage streams read by a receiver in a child "
            + "JVM: " + corrupt + " corrupt headers named with the FIFO and the length, " + cut + " frames cut "
            + "short discarded and counted, every whole frame before them delivered, no crash");
    }

    /** At most what the pipe holds, so that the raw writer never blocks. */
    private static byte[] trimmed(final byte[] bytes) {
        return bytes.length <= 60_000 ? bytes : java.util.Arrays.copyOf(bytes, 60_000);
    }

    private static void awaitFile(final Path file) {
        final long deadline = System.nanoTime() + CHILD.toNanos();
        while (!Files.exists(file)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("the child never created " + file);
            }
            LockSupport.parkNanos(200_000L);
        }
    }

    private static void writeRaw(final Path fifo, final byte[] bytes) {
        final int fd = PosixFiles.open(fifo.toString(), PosixFiles.O_WRONLY | PosixFiles.O_NONBLOCK
            | PosixFiles.O_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment segment = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0, segment, 0, bytes.length);
            long written = 0;
            while (written < bytes.length) {
                final long n = PosixFiles.write(fd, segment.asSlice(written), bytes.length - written);
                if (n < 0) {
                    throw new AssertionError("writing garbage to " + fifo + " failed with errno " + -n);
                }
                written += n;
            }
        } finally {
            PosixFiles.close(fd);
        }
    }

    @Test
    void shouldNeverCreateOrWriteThroughALinkAtAFifoPath() throws IOException {
        final Path target = dir.resolve("precious");
        Files.writeString(target, "not a FIFO, and not to be touched");
        final byte[] before = Files.readAllBytes(target);
        final Path linkToFile = Files.createSymbolicLink(dir.resolve("link-to-file.fifo"), target);
        final Path dangling = Files.createSymbolicLink(dir.resolve("dangling.fifo"), dir.resolve("would-be-made.fifo"));
        for (final Path link : List.of(linkToFile, dangling)) {
            for (final boolean sender : new boolean[] {false, true}) {
                final ChannelException e = assertThrows(ChannelException.class, () -> {
                    if (sender) {
                        Channels.openSender("fifo:" + link + "?nonblock=true").close();
                    } else {
                        Channels.openReceiver("fifo:" + link + "?nonblock=true").close();
                    }
                });
                assertTrue(e.getMessage().contains("\"" + link + "\"") && e.getMessage().contains("a symbolic link"),
                    e.getMessage());
            }
            assertTrue(Files.isSymbolicLink(link), "the link is left in place");
        }
        assertArrayEquals(before, Files.readAllBytes(target), "nothing was written through the link");
        assertFalse(Files.exists(dir.resolve("would-be-made.fifo"), LinkOption.NOFOLLOW_LINKS),
            "no FIFO was made where the dangling link points");
    }

    @Test
    void shouldRefuseAFifoOfAnotherUserUnlessAllowed() throws IOException {
        assumeTrue(PosixProcess.getuid() == 0, "only root can give a FIFO to another user");
        final Path fifo = dir.resolve("foreign.fifo");
        PosixPipes.mkfifo(fifo.toString(), 0666);
        final int stranger = 54_321;
        Files.setAttribute(fifo, "unix:uid", stranger);
        for (final boolean sender : new boolean[] {false, true}) {
            final ChannelException e = assertThrows(ChannelException.class, () -> {
                if (sender) {
                    Channels.openSender("fifo:" + fifo + "?nonblock=true").close();
                } else {
                    Channels.openReceiver("fifo:" + fifo + "?nonblock=true").close();
                }
            });
            assertTrue(e.getMessage().contains("\"" + fifo + "\": it belongs to uid " + stranger)
                && e.getMessage().contains("allowOtherOwner=true"), e.getMessage());
        }
        try (Receiver receiver = Channels.openReceiver("fifo:" + fifo + "?nonblock=true&allowOtherOwner=true");
             Sender sender = Channels.openSender("fifo:" + fifo + "?nonblock=true&allowOtherOwner=true")) {
            assertTrue(sender.offer(new byte[] {42}));
            final int[] got = {0};
            assertEquals(1, receiver.poll((b, o, l) -> got[0] = b.getByte(o), 1, Duration.ofSeconds(5)));
            assertEquals(42, got[0]);
        }
        assertEquals(stranger, (int) Files.getAttribute(fifo, "unix:uid"), "the FIFO keeps its owner");
    }

    @Test
    void shouldMakeFifosWithExactlyTheirModeWhateverTheUmask() {
        final Path strict = dir.resolve("umask-0277.fifo");
        final ChildJvm.Result made = ChildJvm.runWithUmask("0277", ConformancePeer.class,
            List.of("recv", "fifo:" + strict + "?nonblock=true", "0", "1", "16"), dir, CHILD);
        assertEquals(0, made.exitCode());
        assertEquals(0600, PosixFiles.lstat(strict.toString()).permissions(), "0600 although the umask takes 0200");

        final Path shared = dir.resolve("mode-0660.fifo");
        final ChildJvm.Result group = ChildJvm.runWithUmask("0077", ConformancePeer.class,
            List.of("recv", "fifo:" + shared + "?nonblock=true&mode=0660", "0", "1", "16"), dir, CHILD);
        assertEquals(0, group.exitCode());
        assertEquals(0660, PosixFiles.lstat(shared.toString()).permissions(), "0660 although the umask is 0077");

        final Path never = dir.resolve("never.fifo");
        final IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
            () -> Channels.openReceiver("fifo:" + never + "?mode=4600"));
        assertTrue(bad.getMessage().startsWith("mode=4600 in 'fifo:" + never + "?mode=4600' sets execute, setuid"),
            bad.getMessage());
        assertFalse(Files.exists(never, LinkOption.NOFOLLOW_LINKS), "nothing is made for a bad mode");
    }
}
