package dev.ipckit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ChannelsTest {

    @Test
    void shouldNameTheSchemeAndListKnownOnesForAnUnknownScheme() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Channels.openSender("carrier-pigeon:/tmp/x"));
        assertTrue(e.getMessage().contains("unknown channel scheme 'carrier-pigeon'"), e.getMessage());
        assertTrue(e.getMessage().contains("known schemes: mem"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Channels.openReceiver("carrier-pigeon:/tmp/x"));
    }

    @Test
    void shouldFindTransportsThroughServiceLoader() {
        assertTrue(Channels.providers().containsKey("mem"));
        try (Sender sender = Channels.openSender("mem:channels-test");
             Receiver receiver = Channels.openReceiver("mem:channels-test")) {
            assertTrue(sender.offer(new byte[] {1, 2, 3}));
            final int[] length = {0};
            assertEquals(1, receiver.poll((b, o, l) -> length[0] = l, 10));
            assertEquals(3, length[0]);
        }
    }
}
