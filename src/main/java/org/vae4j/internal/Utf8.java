package org.vae4j.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds where a text file stops being UTF-8, for an error that names the line: readers decode
 * ahead of the line they return, so the line a decoding exception surfaces at is not the line of
 * the bad bytes. Streams the file in 64 KB blocks (bounded memory). Stateless, thread-safe.
 */
public final class Utf8 {

    /** The first malformed sequence: its 1-based line, byte offset and first byte. */
    public record Malformed(long line, long byteOffset, int firstByte) {
        /** E.g. {@code byte 7 (0xc3) starts a malformed sequence}. */
        public String describe() {
            return "byte " + byteOffset + " (0x" + Integer.toHexString(firstByte) + ") starts a malformed sequence";
        }
    }

    private Utf8() {
    }

    /** The first malformed UTF-8 sequence of {@code file}, or {@code null} when it is all valid. */
    public static Malformed firstMalformed(Path file) throws IOException {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.allocate(1 << 16);
        CharBuffer out = CharBuffer.allocate(1 << 16);
        long line = 1;
        long offset = 0;
        try (InputStream s = Files.newInputStream(file)) {
            boolean eof = false;
            while (true) {
                int n = eof ? -1 : s.read(in.array(), in.position(), in.remaining());
                if (n < 0) {
                    eof = true;
                } else {
                    in.position(in.position() + n);
                }
                in.flip();
                int start = in.position();
                CoderResult r = d.decode(in, out, eof);
                for (int i = start; i < in.position(); i++) {
                    if (in.array()[i] == '\n') {
                        line++;
                    }
                }
                offset += in.position() - start;
                if (r.isError()) {
                    return new Malformed(line, offset, in.get(in.position()) & 0xFF);
                }
                out.clear();
                in.compact();
                if (eof && in.position() == 0) {
                    return null;
                }
            }
        }
    }
}
