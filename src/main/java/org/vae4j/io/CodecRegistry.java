package org.vae4j.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Codecs by name, in registration order: the built-ins, then those {@link ServiceLoader} finds
 * (with this library's class loader and the thread's context class loader), then those
 * registered programmatically. Providers are looked up on first use. Thread-safe.
 */
final class CodecRegistry<T> {

    private final Class<T> type;
    private final Function<T, String> name;
    private final Supplier<List<T>> builtIns;
    private final Map<String, T> byName = new LinkedHashMap<>();
    private final List<String> builtInNames = new ArrayList<>();
    private boolean loaded;

    CodecRegistry(Class<T> type, Function<T, String> name, Supplier<List<T>> builtIns) {
        this.type = type;
        this.name = name;
        this.builtIns = builtIns;
    }

    private void ensureLoaded() {
        if (loaded) {
            return;
        }
        for (T t : builtIns.get()) {
            add(t, false);
            builtInNames.add(name.apply(t));
        }
        List<ClassLoader> loaders = new ArrayList<>();
        loaders.add(CodecRegistry.class.getClassLoader());
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null && context != loaders.get(0)) {
            loaders.add(context);
        }
        for (ClassLoader loader : loaders) {
            for (T t : ServiceLoader.load(type, loader)) {
                add(t, true);
            }
        }
        loaded = true;
    }

    /** Adds a codec; a second codec for a name is refused (the same class again is ignored when {@code quietRepeat}). */
    private void add(T codec, boolean quietRepeat) {
        String n = name.apply(codec);
        if (n == null || n.isBlank()) {
            throw new IllegalArgumentException(type.getSimpleName() + " " + codec.getClass().getName()
                    + " has no name");
        }
        T old = byName.get(n);
        if (old != null) {
            if (quietRepeat && old.getClass().getName().equals(codec.getClass().getName())) {
                return;
            }
            throw new IllegalArgumentException("'" + n + "' already has a " + type.getSimpleName() + " ("
                    + old.getClass().getName() + "); cannot register " + codec.getClass().getName());
        }
        byName.put(n, codec);
    }

    synchronized void register(T codec) {
        if (codec == null) {
            throw new IllegalArgumentException(type.getSimpleName() + " must not be null");
        }
        ensureLoaded();
        add(codec, false);
    }

    synchronized Optional<T> get(String n) {
        ensureLoaded();
        return Optional.ofNullable(byName.get(n));
    }

    synchronized List<T> all() {
        ensureLoaded();
        return List.copyOf(byName.values());
    }

    synchronized List<String> builtInNames() {
        ensureLoaded();
        return List.copyOf(builtInNames);
    }

    synchronized List<String> otherNames() {
        ensureLoaded();
        List<String> names = new ArrayList<>(byName.keySet());
        names.removeAll(builtInNames);
        return names;
    }
}
