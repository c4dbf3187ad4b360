package dev.ipckit.aeron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.ipckit.ChannelException;
import dev.ipckit.Channels;
import dev.ipckit.Receiver;

/**
 * Bad endpoints, ports and options are refused before anything is started, with a sentence naming the option, the
 * value and the URI; a port another receiver holds and a missing external driver are channel failures that say
 * what to do.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AeronHostileUriTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "aeron:udp",
        "aeron:udp?endpoint=",
        "aeron:udp?endpoint=127.0.0.1",
        "aeron:udp?endpoint=:40123",
        "aeron:udp?endpoint=127.0.0.1:0",
        "aeron:udp?endpoint=127.0.0.1:65536",
        "aeron:udp?endpoint=127.0.0.1:-1",
        "aeron:udp?endpoint=127.0.0.1:http",
        "aeron:udp?endpoint=127.0.0.1:99999999999",
        "aeron:udp?endpoint=::1:40123",
        "aeron:udp?endpoint=[]:40123",
        "aeron:udp?endpoint=127.0.0.1:40123|interface=10.0.0.1",
        "aeron:udp?endpoint=127.0.0.1:40123|term-length=64k",
        "aeron:udp?endpoint=127.0.0.1 :40123",
        "aeron:udp?endpoint=127.0.0.1:40123&interface=10.0.0.0/200",
        "aeron:udp?endpoint=127.0.0.1:40123&interface=10.0.0.1:x",
        "aeron:udp?endpoint=127.0.0.1:40123&term-length=1m",
        "aeron:udp?endpoint=127.0.0.1:40123&termLength=1000000",
        "aeron:udp?endpoint=127.0.0.1:40123&termLength=32k",
        "aeron:udp?endpoint=127.0.0.1:40123&termLength=2g",
        "aeron:udp?endpoint=127.0.0.1:40123&mtu=1000",
        "aeron:udp?endpoint=127.0.0.1:40123&mtu=128k",
        "aeron:udp?endpoint=127.0.0.1:40123&mtu=32",
        "aeron:udp?endpoint=127.0.0.1:40123&termLength=64k&mtu=16k",
        "aeron:udp?endpoint=127.0.0.1:40123&stream=0",
        "aeron:udp?endpoint=127.0.0.1:40123&stream=x",
        "aeron:udp?endpoint=127.0.0.1:40123&driver=shared",
        "aeron:udp?endpoint=127.0.0.1:40123&aeron.dir=/tmp/somewhere",
        "aeron:udp?endpoint=127.0.0.1:40123&driver=external&aeron.dir=",
        "aeron:udp?endpoint=127.0.0.1:40123&driver=external&peerTimeout=5s",
        "aeron:udp?endpoint=127.0.0.1:40123&peerTimeout=10ms",
        "aeron:udp?endpoint=127.0.0.1:40123&peerTimeout=2h",
        "aeron:udp?endpoint=127.0.0.1:40123&peerTimeout=soon",
        "aeron:udp?endpoint=127.0.0.1:40123&timeout=-1s",
        "aeron:udp?endpoint=127.0.0.1:40123&linger=5d",
        "aeron:ipc?endpoint=127.0.0.1:40123",
        "aeron:udp?endpoint=127.0.0.1:40123&endpoint=127.0.0.1:40124",
    })
    void shouldRefuseABadUriBeforeStartingAnything(final String uri) {
        final IllegalArgumentException sent = assertThrows(IllegalArgumentException.class,
            () -> Channels.openSender(uri));
        assertTrue(sent.getMessage().contains(uri) || sent.getMessage().contains("'" + uri), sent.getMessage());
        final IllegalArgumentException received = assertThrows(IllegalArgumentException.class,
            () -> Channels.openReceiver(uri));
        assertEquals(sent.getMessage(), received.getMessage());
    }

    @Test
    void shouldNameTheOptionAndTheKnownOnesForAMisspeltOption() {
        final String uri = "aeron:udp?endpoint=127.0.0.1:40123&termlength=1m";
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Channels.openSender(uri));
        assertTrue(e.getMessage().contains("termlength") && e.getMessage().contains("termLength"), e.getMessage());
    }

    @Test
    void shouldRefuseASecondReceiverOnAPortInUseSayingWhy() {
        final String uri = Ports.loopbackUri("");
        try (Receiver first = Channels.openReceiver(uri)) {
            final ChannelException e = assertThrows(ChannelException.class, () -> Channels.openReceiver(uri));
            assertTrue(e.getMessage().contains("port") && e.getMessage().contains(uri), e.getMessage());
            assertTrue(first.isPeerAlive(), "the first receiver is untouched");
        }
    }

    @Test
    void shouldRefuseAnEndpointThatIsNotAnAddressOfThisHost() {
        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned, so it cannot be bound.
        final String uri = "aeron:udp?endpoint=192.0.2.1:" + Ports.freeUdpPort();
        final ChannelException e = assertThrows(ChannelException.class, () -> Channels.openReceiver(uri));
        assertTrue(e.getMessage().contains("endpoint=192.0.2.1"), e.getMessage());
    }

    @Test
    void shouldSayNoDriverRunsWhenTheExternalDirectoryHasNone(@TempDir final Path dir) {
        final String uri = "aeron:udp?endpoint=127.0.0.1:" + Ports.freeUdpPort() + "&driver=external&aeron.dir=" + dir;
        final ChannelException e = assertThrows(ChannelException.class, () -> Channels.openReceiver(uri));
        assertTrue(e.getMessage().contains("no media driver runs in aeron.dir=" + dir), e.getMessage());
        assertThrows(ChannelException.class, () -> Channels.openSender(uri));
    }

    @Test
    void shouldGiveUpOpeningASenderWhenNoReceiverAnswersWithinTimeout() {
        final String uri = "aeron:udp?endpoint=127.0.0.1:" + Ports.freeUdpPort() + "&timeout=500ms";
        final ChannelException e = assertThrows(ChannelException.class, () -> Channels.openSender(uri));
        assertTrue(e.getMessage().contains("no receiver answered") && e.getMessage().contains("timeout=500ms"),
            e.getMessage());
    }
}
