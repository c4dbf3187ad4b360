package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.ipckit.ChannelException;
import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.conformance.ChildJvm;
import dev.ipckit.conformance.ConformancePeer;
import dev.ipckit.conformance.Reliability;
import dev.ipckit.posix.Errno;
import dev.ipckit.posix.NativeException;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixProcess;
import dev.ipckit.spi.TemporaryFile;

/**
 * Ring files that were not made by an ipckit end of this user, or that change under one: random bytes, foreign
 * headers, wrong sizes, a valid header over a garbage ring, a file truncated while both ends stream, symbolic
 * links, a directory, another owner, other modes. Each is refused with a {@link ChannelException} that names the
 * file, a refused file is left as it was, nothing is written through a link, and no JVM crashes: the cases that
 * map what they are given run in child JVMs ({@link HostileRingPeer}), whose working directory is checked for a
 * crash report. Extends {@link RingFileValidationTest}, which covers the single refusals in this JVM.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class MmapHostileInputTest {
    private static final Duration CHILD = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    private Path validRing(final String name, final String options) {
        final Path path = dir.resolve(name);
        Channels.openReceiver("mmap:" + path + "?capacity=4k" + options).close();
        return path;
    }

    private static Map<String, String[]> byKey(final List<String> lines, final int keyFields) {
        final Map<String, String[]> map = new HashMap<>();
        for (final String line : lines) {
            final String[] fields = line.split("\t", -1);
            map.put(String.join("\t", List.of(fields).subList(0, keyFields)), fields);
        }
        return map;
    }

    @Test
    void shouldRefuseRingFilesOfRandomBytesNamingEachAndChangingNone() throws IOException {
        final SplittableRandom random = new SplittableRandom(Reliability.chaosSeed());
        final long[] sizes = {0, 1, 100, 4096, 8191, 8192, 8292, RingFileDescriptor.fileLength(4096),
            RingFileDescriptor.fileLength(4096) + 8, RingFileDescriptor.fileLength(65536)};
        final List<String> files = new ArrayList<>();
        final Map<String, byte[]> before = new HashMap<>();
        for (int i = 0; i < 60; i++) {
            final int size = (int) (i < sizes.length * 3 ? sizes[i % sizes.length] : random.nextInt(0, 200_000));
            final byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            final ByteBuffer fields = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            if (size >= 64 && i % 3 == 1) {
                fields.putLong(RingFileDescriptor.MAGIC_OFFSET, RingFileDescriptor.MAGIC); // reach the later checks
            }
            if (size >= 64 && i % 6 == 1) {
                fields.putInt(RingFileDescriptor.VERSION_OFFSET, RingFileDescriptor.LAYOUT_VERSION);
            }
            final Path file = Files.write(dir.resolve("random-" + i), bytes);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            files.add(file.toString());
            before.put(file.toString(), bytes);
        }
        final List<String> args = new ArrayList<>(List.of("open-each"));
        args.addAll(files);
        final ChildJvm.Result result = ChildJvm.run(HostileRingPeer.class, args, dir, CHILD);
        ChildJvm.assertNoCrashReport(dir);
        assertEquals(0, result.exitCode());
        final Map<String, String[]> outcomes = byKey(result.output(), 2);
        for (final String file : files) {
            for (final String role : List.of("receiver", "sender")) {
                final String[] outcome = outcomes.get(file + "\t" + role);
                assertTrue(outcome != null && outcome[2].equals("refused"), file + " as " + role + ": "
                    + (outcome == null ? "no outcome" : String.join(" ", outcome)));
                assertTrue(outcome[4].contains(file), "the refusal names the file: " + outcome[4]);
            }
            assertArrayEquals(before.get(file), Files.readAllBytes(Path.of(file)), file + " is left as it was");
        }
        System.out.println("hostile ring files: " + files.size() + " files of random bytes (some with the magic and "
            + "version planted), each refused as receiver and as sender naming the file, none changed, no crash");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ipckit", "agrona"})
    void shouldRefuseOrCarryIntactMessagesOnAValidHeaderOverAGarbageRing(final String format) throws IOException {
        final RingFormat ringFormat = RingFormat.named(format);
        final SplittableRandom random = new SplittableRandom(Reliability.chaosSeed() + 1);
        final List<String> uris = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            final String options = (i % 2 == 0 ? "" : "&producers=many") + "&format=" + format;
            final Path path = validRing("garbage-" + i, options);
            final byte[] ring = new byte[4096 + RingFileDescriptor.trailerLength(ringFormat, 1)];
            random.nextBytes(ring);
            if (i % 4 >= 2) {
                java.util.Arrays.fill(ring, 4096, ring.length, (byte) 0); // sane positions, garbage records
                ring[3] &= 0x3F; // a positive length at the head, which a reader must not take for a message
            }
            try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
                file.seek(RingFileDescriptor.HEADER_LENGTH);
                file.write(ring);
            }
            uris.add("mmap:" + path + "?timeout=1s" + options);
        }
        final List<String> args = new ArrayList<>(List.of("exercise"));
        args.addAll(uris);
        final ChildJvm.Result result = ChildJvm.run(HostileRingPeer.class, args, dir, CHILD);
        ChildJvm.assertNoCrashReport(dir);
        assertEquals(0, result.exitCode());
        final Map<String, String[]> outcomes = byKey(result.output(), 1);
        int refused = 0;
        for (final String uri : uris) {
            final String[] outcome = outcomes.get(uri);
            assertTrue(outcome != null, "no outcome for " + uri);
            final String path = uri.substring("mmap:".length(), uri.indexOf('?'));
            if (outcome[1].equals("refused")) {
                refused++;
                assertEquals("ChannelException", outcome[2], String.join(" ", outcome));
                assertTrue(outcome[3].startsWith(path + " is corrupt: "), outcome[3]);
            } else {
                assertEquals("intact", outcome[1], "garbage must never reach a handler: " + String.join(" ", outcome));
            }
        }
        // Agrona's random head and tail are impossible positions; a stamped ring's random subscriber position may be
        // a possible one (a non-negative multiple of 8), and then its garbage records, which carry no stamp, are
        // simply not there: the ring is carried intact from that position
        assertTrue(refused >= uris.size() / (ringFormat == RingFormat.AGRONA ? 2 : 4), refused + " of " + uris.size()
            + " garbage rings were refused");
        System.out.println("hostile ring bodies: " + uris.size() + " valid headers over garbage rings, " + refused
            + " refused as corrupt naming the file, the rest carried every message intact, no garbage delivered");
    }

    @Test
    void shouldRefuseWrongSizesAndFieldsNamingBothValues() throws IOException {
        final Object[][] cases = {
            {RingFileDescriptor.MAX_MESSAGE_OFFSET, 513, "maxMessage file=513 is outside 0..512"},
            {RingFileDescriptor.MAX_MESSAGE_OFFSET, -1, "maxMessage file=-1"},
            {RingFileDescriptor.HEADER_LENGTH_OFFSET, 4096, "header length app=8192 file=4096"},
            {RingFileDescriptor.CAPACITY_OFFSET, 8192, "file length app=" + RingFileDescriptor.fileLength(8192)},
            {RingFileDescriptor.FILE_LENGTH_OFFSET, 12345, "file length app=" + RingFileDescriptor.fileLength(4096)
                + " file=12345"},
            {RingFileDescriptor.FLAGS_OFFSET, 200 << RingFileDescriptor.WAIT_CODE_SHIFT, "wait code file=200"},
        };
        int index = 0;
        for (final Object[] c : cases) {
            final Path path = validRing("field-" + index++, "");
            try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
                file.seek((int) c[0]);
                file.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) c[1]).array());
            }
            assertRefused(path, (String) c[2]);
        }
        final Path extended = validRing("extended", "");
        try (RandomAccessFile file = new RandomAccessFile(extended.toFile(), "rw")) {
            file.setLength(file.length() + 8);
        }
        assertRefused(extended, "size app=" + RingFileDescriptor.fileLength(4096) + " file="
            + (RingFileDescriptor.fileLength(4096) + 8));
    }

    private static void assertRefused(final Path path, final String expected) throws IOException {
        final byte[] before = Files.readAllBytes(path);
        for (final boolean sender : new boolean[] {false, true}) {
            final ChannelException e = assertThrows(ChannelException.class, () -> {
                if (sender) {
                    Channels.openSender("mmap:" + path + "?timeout=1s").close();
                } else {
                    Channels.openReceiver("mmap:" + path + "?timeout=1s").close();
                }
            });
            assertTrue(e.getMessage().startsWith(path + " ") && e.getMessage().contains(expected), e.getMessage());
        }
        assertArrayEquals(before, Files.readAllBytes(path), "a refused file is left as it was");
    }

    @Test
    void shouldFailStreamingAndIdleEndsWithASentenceWhenTheRingIsTruncatedUnderThemAndNeverCrash() throws IOException {
        final SplittableRandom random = new SplittableRandom(Reliability.chaosSeed() + 2);
        final long half = RingFileDescriptor.HEADER_LENGTH + 32 * 1024;
        final String many = "&producers=many&wait=futex";
        final Object[][] cases = {
            {"shrink", 0L, ""}, {"shrink", (long) RingFileDescriptor.HEADER_LENGTH, many}, {"shrink", half, ""},
            {"shrink-idle", 0L, ""}, {"shrink-idle", 0L, many},
            {"shrink-idle", (long) RingFileDescriptor.HEADER_LENGTH, ""},
        };
        int rings = 0;
        for (final Object[] c : cases) {
            {
                final String mode = (String) c[0];
                final long length = (long) c[1];
                final String options = (String) c[2];
                final Path path = dir.resolve("shrinking-" + rings);
                final Path ready = dir.resolve("shrinking-" + rings++ + ".ready");
                final String uri = "mmap:" + path + "?capacity=64k" + options;
                Channels.openReceiver(uri).close();
                final Thread truncator = Thread.ofPlatform().start(() -> {
                    final long deadline = System.nanoTime() + CHILD.toNanos();
                    while (!Files.exists(ready) && System.nanoTime() - deadline < 0) {
                        LockSupport.parkNanos(200_000L);
                    }
                    LockSupport.parkNanos(random.nextLong(0, 20_000_000L)); // a random moment while both stream
                    try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
                        file.setLength(length);
                    } catch (final IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                final ChildJvm.Result result = ChildJvm.run(HostileRingPeer.class, List.of(mode, uri,
                    ready.toString()), dir, CHILD);
                joinQuietly(truncator);
                ChildJvm.assertNoCrashReport(dir);
                assertEquals(0, result.exitCode(), result.output().toString());
                final Map<String, String[]> outcomes = byKey(result.output(), 1);
                for (final String role : mode.equals("shrink") ? List.of("sender", "receiver") : List.of("receiver")) {
                    final String[] outcome = outcomes.get(role);
                    assertEquals("ChannelException", outcome[1], role + " after truncation to " + length + ": "
                        + String.join(" ", outcome));
                    assertTrue(outcome[2].startsWith(path + " shrank under its mapping: size app="
                        + RingFileDescriptor.fileLength(64 * 1024) + " file=" + length), outcome[2]);
                }
                assertEquals("ok", outcomes.get("close")[1], "closing both ends after the fault: "
                    + String.join(" ", outcomes.get("close")));
            }
        }
        System.out.println("hostile truncation: " + rings + " rings truncated (to 0, to the header, to half) under a "
            + "sender and a receiver streaming, or a receiver idle, in child JVMs; every end failed with a sentence "
            + "naming the file and both sizes, closed cleanly, no crash");
    }

    private static void joinQuietly(final Thread thread) {
        try {
            thread.join(TimeUnit.MINUTES.toMillis(1));
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void shouldNeverCreateOrWriteThroughASymbolicLink() throws IOException {
        final Path target = dir.resolve("precious");
        Files.writeString(target, "not a ring, and not to be touched");
        final Path linkToFile = Files.createSymbolicLink(dir.resolve("link-to-file"), target);
        final Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("would-be-created"));
        final byte[] before = Files.readAllBytes(target);
        final long modified = Files.getLastModifiedTime(target).toMillis();
        for (final Path link : List.of(linkToFile, dangling)) {
            for (final boolean sender : new boolean[] {false, true}) {
                final NativeException e = assertThrows(NativeException.class, () -> {
                    if (sender) {
                        Channels.openSender("mmap:" + link + "?capacity=4k").close();
                    } else {
                        Channels.openReceiver("mmap:" + link + "?capacity=4k").close();
                    }
                });
                assertEquals(Errno.ELOOP, e.errno());
                assertTrue(e.getMessage().contains(link + " is a symbolic link"), e.getMessage());
            }
            final NativeException inspected = assertThrows(NativeException.class,
                () -> RingFileInspector.open(link.toString()));
            assertEquals(Errno.ELOOP, inspected.errno());
            assertThrows(ChannelException.class, () -> RingFileInspector.removeIfAbandoned(link.toString()));
            assertTrue(Files.isSymbolicLink(link), "the link is left in place");
        }
        assertArrayEquals(before, Files.readAllBytes(target), "nothing was written through the link");
        assertEquals(modified, Files.getLastModifiedTime(target).toMillis());
        assertFalse(Files.exists(dir.resolve("would-be-created"), LinkOption.NOFOLLOW_LINKS),
            "nothing was created where the dangling link points");
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(), listing.filter(f -> f.getFileName().toString().endsWith(TemporaryFile.SUFFIX))
                .toList(), "no temporary file is left behind");
        }
    }

    @Test
    void shouldRefuseADirectoryAtTheRingPath() throws IOException {
        final Path directory = Files.createDirectory(dir.resolve("a-directory"));
        for (final boolean sender : new boolean[] {false, true}) {
            final ChannelException e = assertThrows(ChannelException.class, () -> {
                if (sender) {
                    Channels.openSender("mmap:" + directory).close();
                } else {
                    Channels.openReceiver("mmap:" + directory).close();
                }
            });
            assertTrue(e.getMessage().contains(directory + " is a directory"), e.getMessage());
        }
        assertTrue(Files.isDirectory(directory));
    }

    @Test
    void shouldRefuseARingOfAnotherUserUnlessAllowedAndThenCarryMessages() throws IOException {
        assumeTrue(PosixProcess.getuid() == 0, "only root can give a file to another user");
        final Path path = validRing("foreign-owner", "");
        final int stranger = 54_321;
        Files.setAttribute(path, "unix:uid", stranger);
        final String uri = "mmap:" + path;
        for (final boolean sender : new boolean[] {false, true}) {
            final ChannelException e = assertThrows(ChannelException.class, () -> {
                if (sender) {
                    Channels.openSender(uri).close();
                } else {
                    Channels.openReceiver(uri).close();
                }
            });
            assertTrue(e.getMessage().contains(path + " belongs to uid " + stranger + ", not to this process's uid 0")
                && e.getMessage().contains("allowOtherOwner=true"), e.getMessage());
        }
        try (Receiver receiver = Channels.openReceiver(uri + "?allowOtherOwner=true");
             Sender sender = Channels.openSender(uri + "?allowOtherOwner=true")) {
            assertTrue(sender.offer(new byte[] {42}));
            final int[] got = {0};
            assertEquals(1, receiver.poll((b, o, l) -> got[0] = b.getByte(o), 1, Duration.ofSeconds(5)));
            assertEquals(42, got[0]);
        }
        assertEquals(stranger, (int) Files.getAttribute(path, "unix:uid"), "the file keeps its owner");
    }

    @Test
    void shouldCreateRingsWithExactlyTheirModeWhateverTheUmaskAndRefuseWiderOnesByDefault() throws IOException {
        final Path strict = dir.resolve("umask-0277");
        final ChildJvm.Result made = ChildJvm.runWithUmask("0277", ConformancePeer.class,
            List.of("recv", "mmap:" + strict + "?capacity=4k", "0", "1", "16"), dir, CHILD);
        assertEquals(0, made.exitCode());
        assertEquals(0600, PosixFiles.lstat(strict.toString()).permissions(), "0600 although the umask takes 0200");

        final Path shared = dir.resolve("mode-0660");
        final ChildJvm.Result group = ChildJvm.runWithUmask("0077", ConformancePeer.class,
            List.of("recv", "mmap:" + shared + "?capacity=4k&mode=0660", "0", "1", "16"), dir, CHILD);
        assertEquals(0, group.exitCode());
        assertEquals(0660, PosixFiles.lstat(shared.toString()).permissions(), "0660 although the umask is 0077");

        final ChannelException wider = assertThrows(ChannelException.class,
            () -> Channels.openSender("mmap:" + shared).close());
        assertTrue(wider.getMessage().contains("has mode 0660, which grants more than mode=0600"), wider.getMessage());
        Channels.openSender("mmap:" + shared + "?mode=0660").close();

        final Path never = dir.resolve("never");
        final IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
            () -> Channels.openReceiver("mmap:" + never + "?mode=0755"));
        assertTrue(bad.getMessage().startsWith("mode=0755 in 'mmap:" + never + "?mode=0755' sets execute"),
            bad.getMessage());
        assertFalse(Files.exists(never, LinkOption.NOFOLLOW_LINKS), "nothing is created for a bad mode");
    }
}
