package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.ChannelException;
import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.posix.Errno;
import dev.ipckit.posix.FileStat;
import dev.ipckit.posix.NativeException;
import dev.ipckit.posix.PosixPipes;
import dev.ipckit.posix.PosixProcess;

/**
 * Files that are not whole, valid rings of this user are refused with a sentence, changed in no way, and never
 * crash the JVM.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingFileValidationTest {
    @TempDir
    Path dir;

    private Path validRing(final String name) {
        final Path path = dir.resolve(name);
        Channels.openReceiver("mmap:" + path + "?capacity=4k").close();
        return path;
    }

    private static void patchInt(final Path path, final int offset, final int value) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.seek(offset);
            file.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
        }
    }

    /**
     * Opens both roles on a bad file and checks that each is refused with the same sentence and that the file
     * is unchanged.
     */
    private static String refused(final Path path) throws IOException {
        final byte[] before = Files.isRegularFile(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)
            ? Files.readAllBytes(path) : null;
        final String uri = "mmap:" + path + "?timeout=1s";
        final ChannelException asReceiver = assertThrows(ChannelException.class, () -> Channels.openReceiver(uri));
        final ChannelException asSender = assertThrows(ChannelException.class, () -> Channels.openSender(uri));
        assertEquals(asReceiver.getMessage(), asSender.getMessage());
        assertTrue(asReceiver.getMessage().contains(path.toString()), asReceiver.getMessage());
        if (before != null) {
            assertArrayEquals(before, Files.readAllBytes(path), "a refused file is left as it was");
        }
        return asReceiver.getMessage();
    }

    @Test
    void shouldRefuseAFileShorterThanTheHeader() throws IOException {
        final Path path = Files.write(dir.resolve("short"), new byte[100]);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        final String message = refused(path);
        assertTrue(message.contains("is 100 bytes, shorter than the 8192-byte ring header"), message);
    }

    @Test
    void shouldRefuseAForeignFileNamingBothMagics() throws IOException {
        final byte[] noise = new byte[RingFileDescriptor.HEADER_LENGTH + 4096];
        new Random(7).nextBytes(noise);
        final Path path = Files.write(dir.resolve("foreign"), noise);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        final String message = refused(path);
        assertTrue(message.contains("is not an ipckit ring file: magic app=0x474e49524b435049 file=0x"), message);
    }

    @Test
    void shouldRefuseAnotherLayoutVersionWithAppAndFile() throws IOException {
        final Path path = validRing("version");
        patchInt(path, RingFileDescriptor.VERSION_OFFSET, 99);
        final String message = refused(path);
        assertTrue(message.contains("layout version: app=" + RingFileDescriptor.LAYOUT_VERSION + " file=99"), message);
    }

    @Test
    void shouldRefuseARingTruncatedBelowItsLayoutWithoutMappingIt() throws IOException {
        final Path path = validRing("truncated");
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.setLength(RingFileDescriptor.HEADER_LENGTH + 100);
        }
        final String message = refused(path);
        assertTrue(message.contains("size app=" + RingFileDescriptor.fileLength(4096) + " file="
            + (RingFileDescriptor.HEADER_LENGTH + 100)), message);
    }

    @Test
    void shouldRefuseACorruptCapacity() throws IOException {
        final Path path = validRing("capacity");
        patchInt(path, RingFileDescriptor.CAPACITY_OFFSET, 5000);
        final String message = refused(path);
        assertTrue(message.contains("capacity file=5000 is not a power of two"), message);
    }

    @Test
    void shouldRefuseASymbolicLinkAndLeaveItsTargetAlone() throws IOException {
        final Path target = validRing("target");
        final Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        final NativeException e = assertThrows(NativeException.class, () -> Channels.openReceiver("mmap:" + link));
        assertEquals(Errno.ELOOP, e.errno());
        assertTrue(e.getMessage().contains("is a symbolic link") && e.getMessage().contains("O_NOFOLLOW"),
            e.getMessage());
        assertTrue(Files.isSymbolicLink(link));
        try (RingFileInspector inspector = RingFileInspector.open(target.toString())) {
            assertEquals(0, inspector.stat().senders().size(), "nobody opened the target through the link");
            assertEquals("closed", inspector.stat().receiver().state());
        }
        assertThrows(NativeException.class, () -> RingFileInspector.open(link.toString()));
    }

    @Test
    void shouldRefuseAFifoAtThePathWithoutBlocking() throws IOException {
        final Path fifo = dir.resolve("fifo");
        PosixPipes.mkfifo(fifo.toString(), 0600);
        final String message = refused(fifo);
        assertTrue(message.contains("is a FIFO, not a ring file"), message);
    }

    @Test
    void shouldRefuseARingThatGroupOrOthersCouldTruncate() throws IOException {
        final Path path = validRing("shared-mode");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
        final String message = refused(path);
        assertTrue(message.contains("has mode 0660") && message.contains("chmod 600"), message);
    }

    @Test
    void shouldRefuseAFileOwnedByAnotherUser() {
        final int uid = PosixProcess.getuid();
        final FileStat other = new FileStat(FileStat.S_IFREG | 0600, uid + 1, 0, 1 << 20, 1, 0, 0, 1);
        final ChannelException e = assertThrows(ChannelException.class,
            () -> RingFile.checkIdentity(other, "/dev/shm/x", 0600, false));
        assertTrue(e.getMessage().contains("belongs to uid " + (uid + 1) + ", not to this process's uid " + uid),
            e.getMessage());
        RingFile.checkIdentity(other, "/dev/shm/x", 0600, true);
        RingFile.checkIdentity(new FileStat(FileStat.S_IFREG | 0600, uid, 0, 1 << 20, 1, 0, 0, 1), "/dev/shm/x", 0600,
            false);
    }

    @Test
    void shouldNameTheMissingDirectory() {
        final Path path = dir.resolve("no-such-dir").resolve("ring");
        final NativeException e = assertThrows(NativeException.class, () -> Channels.openSender("mmap:" + path));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("the directory " + path.getParent() + " does not exist"), e.getMessage());
    }

    @Test
    void shouldCreateRingFilesPrivateToTheirUser() throws IOException {
        final Path path = validRing("private");
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(path));
        assertEquals(RingFileDescriptor.fileLength(4096), Files.size(path));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(path), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void shouldFailAnEndWhoseFileShrinksUnderItsMappingInsteadOfCrashing() throws IOException {
        final Path path = dir.resolve("shrinking");
        final Path ready = dir.resolve("victim.ready");
        final Path go = dir.resolve("victim.go");
        try (Sender sender = Channels.openSender("mmap:" + path + "?capacity=64k");
             MmapPeers.Child victim = MmapPeers.start(dir, List.of("shrink-victim", "mmap:" + path, ready.toString(),
                 go.toString()))) {
            MmapPeers.awaitReady(ready, victim, Duration.ofSeconds(60));
            try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
                file.setLength(RingFileDescriptor.HEADER_LENGTH);
            }
            Files.writeString(go, "go");
            assertEquals(0, victim.awaitExit(Duration.ofSeconds(60)), "the child reported: " + victim.output());
            assertTrue(victim.output().get(0).contains("shrank under its mapping: size app="
                + RingFileDescriptor.fileLength(64 * 1024) + " file=" + RingFileDescriptor.HEADER_LENGTH),
                victim.output().toString());
            final ChannelException e = assertThrows(ChannelException.class, () -> {
                final Receiver receiver = Channels.openReceiver("mmap:" + path);
                receiver.close();
            });
            assertTrue(e.getMessage().contains("size app="), e.getMessage());
        }
    }
}
