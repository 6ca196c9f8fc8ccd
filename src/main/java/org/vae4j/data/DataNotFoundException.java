package org.vae4j.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data set is not on this machine and could not be downloaded, or an explicitly given folder
 * does not hold it. The message says where the files were looked for and exactly where to put
 * them. Immutable.
 */
public final class DataNotFoundException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The cache folder the files would be downloaded to, or null. */
    private final transient Path cacheDir;

    /**
     * An exception with its full explanation, the cache folder the files would go to, and the cause.
     *
     * @param message  the full explanation, see the class comment
     * @param cacheDir where the files go, or null
     * @param cause    the last download failure, or null
     */
    public DataNotFoundException(String message, Path cacheDir, Throwable cause) {
        super(message, cause);
        this.cacheDir = cacheDir;
    }

    /** {@return the cache folder the files would be downloaded to (where to put them by hand), or null} */
    public Path cacheDir() {
        return cacheDir;
    }
}
