package elbo.models.config;

import elbo.nn.io.Json;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * nanoGPT-style configuration: an experiment's settings are a record whose defaults live in one static
 * factory (each with a comment), and {@code --key=value} arguments override individual components.
 * {@link #describe} prints the resolved configuration, which every command shows first.
 */
public final class Overrides {
    private Overrides() {
    }

    /**
     * {@code defaults} with every {@code --key=value} in {@code args} applied. Keys are record component
     * names, written in camelCase or kebab-case ({@code --warmup-epochs} is {@code warmupEpochs}); values
     * are parsed by the component's type (int, long, double, boolean, String, enum); a boolean may be
     * given as a bare {@code --flag}.
     *
     * @throws OptionException naming the argument when it is not {@code --key=value}, the key is
     *                                  unknown (listing the valid keys), or the value does not parse
     */
    public static <R extends Record> R apply(R defaults, List<String> args) {
        RecordComponent[] components = defaults.getClass().getRecordComponents();
        Map<String, Object> values = new LinkedHashMap<>();
        for (RecordComponent c : components) {
            values.put(c.getName(), read(c, defaults));
        }
        for (String arg : args) {
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new OptionException("argument '" + arg + "' is not of the form --key=value");
            }
            int eq = arg.indexOf('=');
            String key = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
            RecordComponent c = find(components, key);
            if (c == null) {
                throw new OptionException("unknown setting '--" + key + "'; valid settings: "
                        + String.join(", ", values.keySet().stream().map(Overrides::kebab).toList()));
            }
            if (eq < 0 && c.getType() != boolean.class) {
                throw new OptionException("argument '" + arg + "' is not of the form --key=value");
            }
            String raw = eq < 0 ? "true" : arg.substring(eq + 1);   // a bare --flag sets a boolean
            values.put(c.getName(), parse(c.getType(), raw, kebab(c.getName())));
        }
        return construct(defaults, components, values);
    }

    /** The resolved configuration, one {@code key = value} per line. */
    public static String describe(Record config) {
        StringBuilder sb = new StringBuilder(config.getClass().getSimpleName()).append(":\n");
        for (RecordComponent c : config.getClass().getRecordComponents()) {
            sb.append(String.format(Locale.ROOT, "  %-22s = %s%n", kebab(c.getName()), read(c, config)));
        }
        return sb.toString();
    }

    /**
     * The configuration as a JSON object of strings and numbers, for summaries and checkpoints; keys are
     * the command-line names ({@code warmup-epochs}), so {@link #fromMap} reads it back.
     */
    public static String toJson(Record config) {
        List<String> parts = new ArrayList<>();
        for (RecordComponent c : config.getClass().getRecordComponents()) {
            Object v = read(c, config);
            StringBuilder entry = new StringBuilder();
            Json.appendString(entry, kebab(c.getName()));
            entry.append(": ");
            if (v instanceof Number || v instanceof Boolean) {
                entry.append(v);
            } else {
                Json.appendString(entry, String.valueOf(v));
            }
            parts.add(entry.toString());
        }
        return "{" + String.join(", ", parts) + "}";
    }

    /**
     * {@code defaults} overridden by {@code settings} (as read from a {@link #toJson} file: keys in either
     * spelling, values strings, numbers or booleans), then by {@code args}.
     *
     * @throws OptionException as {@link #apply}
     */
    public static <R extends Record> R fromMap(R defaults, Map<String, ?> settings, List<String> args) {
        List<String> all = new ArrayList<>();
        settings.forEach((key, value) -> all.add("--" + key + "=" + value));
        all.addAll(args);
        return apply(defaults, all);
    }

    /** {@code warmupEpochs} → {@code warmup-epochs}: the command-line spelling of a component name. */
    public static String kebab(String name) {
        StringBuilder sb = new StringBuilder();
        for (char ch : name.toCharArray()) {
            if (Character.isUpperCase(ch)) {
                sb.append('-').append(Character.toLowerCase(ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    private static RecordComponent find(RecordComponent[] components, String key) {
        for (RecordComponent c : components) {
            if (c.getName().equals(key) || kebab(c.getName()).equals(key)) {
                return c;
            }
        }
        return null;
    }

    private static Object read(RecordComponent c, Record r) {
        try {
            java.lang.reflect.Method accessor = c.getAccessor();
            accessor.setAccessible(true);   // records nested in package-private command classes
            return accessor.invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + c.getName(), e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object parse(Class<?> type, String raw, String key) {
        try {
            if (type == int.class) {
                return number(() -> Integer.parseInt(raw), "an integer");
            } else if (type == long.class) {
                return number(() -> Long.parseLong(raw), "an integer");
            } else if (type == double.class) {
                return number(() -> Double.parseDouble(raw), "a number");
            } else if (type == boolean.class) {
                if (!raw.equals("true") && !raw.equals("false")) {
                    throw new IllegalArgumentException("expected true or false");
                }
                return Boolean.parseBoolean(raw);
            } else if (type == String.class) {
                return raw;
            } else if (type.isEnum()) {
                for (Object constant : type.getEnumConstants()) {
                    if (((Enum) constant).name().equalsIgnoreCase(raw)) {
                        return constant;
                    }
                }
                throw new IllegalArgumentException("expected one of " + java.util.Arrays.toString(
                        type.getEnumConstants()).toLowerCase(Locale.ROOT));
            }
        } catch (IllegalArgumentException e) {
            throw new OptionException("--" + key + "=" + raw + ": " + e.getMessage(), e);
        }
        throw new IllegalStateException("unsupported setting type " + type + " for --" + key);
    }

    private static Object number(java.util.function.Supplier<Object> parse, String what) {
        try {
            return parse.get();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected " + what);
        }
    }

    private static <R extends Record> R construct(R defaults, RecordComponent[] components, Map<String, Object> values) {
        Class<?>[] types = new Class<?>[components.length];
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            args[i] = values.get(components[i].getName());
        }
        try {
            @SuppressWarnings("unchecked")
            Constructor<R> ctor = (Constructor<R>) defaults.getClass().getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return ctor.newInstance(args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException iae) {
                throw new OptionException(iae.getMessage(), iae); // the record's own validation, e.g. a size < 1
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + defaults.getClass().getSimpleName(), e);
        }
    }
}
