package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.ChannelException;
import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;

class MmapOptionsTest {
    @TempDir
    Path dir;

    private static String rejected(final String uri) {
        return assertThrows(IllegalArgumentException.class, () -> MmapOptions.parse(uri)).getMessage();
    }

    @Test
    void shouldBeFoundByChannelsThroughServiceLoader() {
        assertTrue(Channels.providers().get("mmap") instanceof MmapChannelProvider);
    }

    @Test
    void shouldPutABareNameInDevShmAndKeepAPath() {
        assertEquals("/dev/shm/orders", MmapOptions.parse("mmap:orders").path());
        assertEquals("/tmp/x/orders", MmapOptions.parse("mmap:/tmp/x/orders?capacity=64k").path());
        assertEquals("rings/orders", MmapOptions.parse("mmap:rings/orders").path());
        assertTrue(rejected("mmap:").contains("names no ring file"), rejected("mmap:"));
        assertTrue(rejected("mmap:/tmp/dir/").contains("/tmp/dir/"));
        assertTrue(rejected("mmap:..").contains(".."));
    }

    @Test
    void shouldDefaultToOneMebibyteOneProducerBackoffAndAnEighthForMessages() {
        final MmapOptions options = MmapOptions.parse("mmap:orders");
        assertEquals(1 << 20, options.capacity());
        assertEquals((1 << 20) / 8, options.maxMessage());
        assertFalse(options.manyProducers());
        assertEquals(WaitMode.BACKOFF, options.waitMode());
        assertEquals("backoff", options.waitName());
        assertNull(options.provider());
        assertEquals(Duration.ofSeconds(10), options.timeout());
        assertFalse(options.unlinkOnClose());
        assertTrue(options.create());
        assertEquals(MmapOptions.DEFAULT_SPINS, options.spins());
        assertEquals(MmapOptions.DEFAULT_YIELDS, options.yields());
    }

    @Test
    void shouldReadSpinsAndYieldsAndRejectNegativeOnes() {
        final MmapOptions options = MmapOptions.parse("mmap:orders?wait=futex&spins=0&yields=3");
        assertEquals(0, options.spins());
        assertEquals(3, options.yields());
        assertTrue(rejected("mmap:orders?spins=-1").startsWith("spins=-1 in 'mmap:orders?spins=-1' is outside"));
        assertTrue(rejected("mmap:orders?yields=many").startsWith("yields=many"));
    }

    @Test
    void shouldReadEveryOption() {
        final MmapOptions options = MmapOptions.parse(
            "mmap:orders?capacity=64k&producers=many&wait=futex&maxMessage=1k&timeout=250ms&unlinkOnClose=true"
                + "&create=false");
        assertEquals(64 * 1024, options.capacity());
        assertTrue(options.manyProducers());
        assertEquals(WaitMode.FUTEX, options.waitMode());
        assertEquals(1024, options.maxMessage());
        assertEquals(Duration.ofMillis(250), options.timeout());
        assertTrue(options.unlinkOnClose());
        assertFalse(options.create());
    }

    @Test
    void shouldRejectACapacityThatIsNotAPowerOfTwoNamingTheOption() {
        final String message = rejected("mmap:orders?capacity=1000");
        assertTrue(message.startsWith("capacity=1000 in 'mmap:orders?capacity=1000'"), message);
        assertTrue(message.contains("power of two"), message);
        assertTrue(rejected("mmap:orders?capacity=512").startsWith("capacity=512"));
        assertTrue(rejected("mmap:orders?capacity=2g").startsWith("capacity=2g"));
        assertTrue(rejected("mmap:orders?capacity=lots").startsWith("capacity=lots"));
    }

    @Test
    void shouldRejectAMaxMessageLargerThanAnEighthOfTheCapacity() {
        final String message = rejected("mmap:orders?capacity=64k&maxMessage=9k");
        assertTrue(message.startsWith("maxMessage=9k"), message);
        assertTrue(message.contains("8192"), message);
    }

    @Test
    void shouldRejectBadChoicesAndUnknownOptions() {
        assertTrue(rejected("mmap:orders?producers=three").startsWith("producers=three"));
        final String unknown = rejected("mmap:orders?capacty=64k");
        assertTrue(unknown.contains("'capacty'") && unknown.contains("capacity, create, format, maxMessage"), unknown);
        assertTrue(rejected("mmap:orders?timeout=5").startsWith("timeout=5"));
        assertTrue(rejected("mmap:orders?unlinkOnClose=maybe").startsWith("unlinkOnClose=maybe"));
        final String wait = rejected("mmap:orders?wait=nap");
        assertTrue(wait.startsWith("wait=nap") && wait.contains("backoff|futex|sleep|spin|yield"), wait);
        assertTrue(rejected("fifo:/tmp/x").contains("not an mmap: URI"));
    }

    @Test
    void shouldExplainThatWaitSignalNeedsTheSignalModule() {
        final String message = rejected("mmap:orders?wait=signal");
        assertTrue(message.startsWith("wait=signal"), message);
        assertTrue(message.contains("put ipckit-signal on the class path"), message);
    }

    @Test
    void shouldAcceptTheOptionsAWakeupProviderReportsOnlyWithThatProvider() {
        final MmapOptions options = MmapOptions.parse("mmap:orders?wait=testpark&parkToken=9");
        assertEquals(WaitMode.PROVIDER, options.waitMode());
        assertSame(TestParkWakeupProvider.class, options.provider().getClass());
        assertTrue(rejected("mmap:orders?wait=futex&parkToken=9").contains("'parkToken'"));
    }

    @Test
    void shouldAdoptTheFileValuesForOmittedOptionsAndRefuseDifferentOnesWithAppAndFile() {
        final String path = dir.resolve("adopt").toString();
        try (MmapReceiver receiver = (MmapReceiver) Channels.openReceiver("mmap:" + path
            + "?capacity=64k&maxMessage=2k&producers=many&wait=futex")) {
            assertTrue(receiver.created());
            try (Sender sender = Channels.openSender("mmap:" + path)) {
                assertEquals(2048, sender.maxMessageLength());
                assertEquals(64 * 1024, ((MmapSender) sender).capacity());
                assertFalse(((MmapSender) sender).created());
            }
            final ChannelException capacity = assertThrows(ChannelException.class,
                () -> Channels.openSender("mmap:" + path + "?capacity=128k"));
            assertTrue(capacity.getMessage().contains("capacity app=131072 file=65536"), capacity.getMessage());
            final ChannelException producers = assertThrows(ChannelException.class,
                () -> Channels.openSender("mmap:" + path + "?producers=one"));
            assertTrue(producers.getMessage().contains("producers app=one file=many"), producers.getMessage());
            final ChannelException wait = assertThrows(ChannelException.class,
                () -> Channels.openSender("mmap:" + path + "?wait=spin"));
            assertTrue(wait.getMessage().contains("wait app=spin file=futex"), wait.getMessage());
            final ChannelException max = assertThrows(ChannelException.class,
                () -> Channels.openSender("mmap:" + path + "?maxMessage=1k"));
            assertTrue(max.getMessage().contains("maxMessage app=1024 file=2048"), max.getMessage());
        }
    }

    @Test
    void shouldWaitForTheFileToAppearWhenCreateIsFalse() throws Exception {
        final Path path = dir.resolve("later");
        final String uri = "mmap:" + path + "?capacity=4k";
        final ChannelException missing = assertThrows(ChannelException.class,
            () -> Channels.openReceiver(uri + "&create=false&timeout=20ms"));
        assertTrue(missing.getMessage().contains("create=false") && missing.getMessage().contains(path.toString()),
            missing.getMessage());
        assertFalse(Files.exists(path), "create=false creates nothing");

        final var opened = java.util.concurrent.CompletableFuture.supplyAsync(
            () -> Channels.openReceiver(uri + "&create=false&timeout=30s"));
        try (Sender sender = Channels.openSender(uri);
             Receiver receiver = opened.get(30, java.util.concurrent.TimeUnit.SECONDS)) {
            assertTrue(sender.offer(new byte[] {42}));
            final int[] got = {0};
            assertEquals(1, receiver.poll((b, o, l) -> got[0] = b.getByte(o), 1, Duration.ofSeconds(30)));
            assertEquals(42, got[0]);
            assertFalse(((MmapReceiver) receiver).created());
        }
    }
}
