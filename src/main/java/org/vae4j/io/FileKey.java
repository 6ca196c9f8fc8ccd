package org.vae4j.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.vae4j.internal.InputFiles;

/**
 * A secret key for the keyed digest (HMAC-SHA256, {@code vae4j.hmac_sha256}) of model files and
 * checkpoints: {@link ModelFiles#save(org.vae4j.LatentModel, Path, TrainingState, java.util.Map, FileKey)}
 * records it, {@link ModelFiles#load(Path, FileKey)} requires it to be present and to match.
 *
 * <p>The unkeyed SHA-256 every vae4j file carries is an integrity check: it catches corruption
 * and accidental edits, but anyone who edits a file can recompute it. Only a keyed digest, with a
 * key the editor does not have, shows that a file comes from someone holding the key.
 *
 * <p>Immutable; thread-safe. {@link #toString()} never shows the key.
 */
public final class FileKey {

    /** The shortest key accepted, in bytes (128 bits). */
    public static final int MIN_BYTES = 16;
    /** The longest key file read, in bytes. */
    public static final int MAX_FILE_BYTES = 4096;

    private final byte[] key;

    private FileKey(byte[] key) {
        this.key = key;
    }

    /**
     * {@return a key of these bytes (copied)}
     *
     * @param key the secret, at least {@link #MIN_BYTES} bytes; not modified
     * @throws IllegalArgumentException for null or fewer than {@link #MIN_BYTES} bytes
     */
    public static FileKey of(byte[] key) {
        if (key == null || key.length < MIN_BYTES) {
            throw new IllegalArgumentException("an HMAC key needs at least " + MIN_BYTES + " bytes, got "
                    + (key == null ? "null" : key.length));
        }
        return new FileKey(key.clone());
    }

    /**
     * {@return the key in a file: its bytes, without one trailing line end ({@code \n} or {@code \r\n}), so
     * that {@code openssl rand -hex 32 > key} and a key written by an editor work alike}
     *
     * @param file the key file, at most {@link #MAX_FILE_BYTES} bytes
     * @throws IOException for a missing, non-regular, empty-after-trimming, too short (under
     *                     {@link #MIN_BYTES}) or too long (over {@link #MAX_FILE_BYTES}) file, naming it
     */
    public static FileKey read(Path file) throws IOException {
        InputFiles.requireRegularFile(file, "key file");
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException(file + ": a key file of " + Files.size(file) + " bytes; at most "
                    + MAX_FILE_BYTES + " are read");
        }
        byte[] b = Files.readAllBytes(file);
        int n = b.length;
        if (n > 0 && b[n - 1] == '\n') {
            n--;
            if (n > 0 && b[n - 1] == '\r') {
                n--;
            }
        }
        if (n < MIN_BYTES) {
            throw new IOException(file + ": a key of " + n + " bytes; an HMAC key needs at least " + MIN_BYTES);
        }
        return new FileKey(Arrays.copyOf(b, n));
    }

    /** A fresh HMAC-SHA256 with this key. */
    Mac mac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every Java platform has HmacSHA256", e);
        }
    }

    @Override
    public String toString() {
        return "FileKey(" + key.length + " bytes)";
    }
}
