using System;
using System.IO;

namespace Scep.Protocol.Pkcs11;

/// <summary>
/// Where a token's user PIN comes from: a file (first line), an environment variable, or the URI. The value is read when
/// the token is opened and again after the token comes back; it never appears in <see cref="ToString"/>, a message or a log.
/// </summary>
public sealed class Pkcs11Pin
{
    private readonly Func<string> _read;

    private Pkcs11Pin(string source, Func<string> read)
    {
        Source = source;
        _read = read;
    }

    /// <summary>Where the PIN comes from (a file's path, an environment variable's name): safe to show.</summary>
    public string Source { get; }

    /// <summary>The PIN in a file: its first line, without the line end. Keep the file readable by the host's user only.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The PIN source.</returns>
    public static Pkcs11Pin FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new Pkcs11Pin("file " + path, () =>
        {
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new Pkcs11KeyException(Pkcs11Failure.PinMissing, $"The PIN file {path} cannot be read: {e.Message}", inner: e);
            }

            var end = text.IndexOfAny(['\r', '\n']);
            return end < 0 ? text : text[..end];
        });
    }

    /// <summary>The PIN in an environment variable.</summary>
    /// <param name="variable">The variable's name.</param>
    /// <returns>The PIN source.</returns>
    public static Pkcs11Pin FromEnvironment(string variable)
    {
        ArgumentException.ThrowIfNullOrEmpty(variable);
        return new Pkcs11Pin("environment variable " + variable, () => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } pin
            ? pin
            : throw new Pkcs11KeyException(Pkcs11Failure.PinMissing, $"The environment variable {variable} that should hold the PIN is not set."));
    }

    /// <summary>
    /// The PIN a URI names: <c>pin-source</c> (a file; RFC 7512 §2.3), else <c>pin-value</c> (the PIN in the URI itself,
    /// which then must be kept as secret as the PIN); null when it names neither.
    /// </summary>
    /// <param name="uri">The URI.</param>
    /// <returns>The PIN source, or null.</returns>
    public static Pkcs11Pin? FromUri(Pkcs11Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (uri.PinSource is { } source)
        {
            return FromFile(source.StartsWith("file:", StringComparison.OrdinalIgnoreCase) ? source["file:".Length..] : source);
        }

        return uri.PinValue is { } value ? new Pkcs11Pin("the URI's pin-value", () => value) : null;
    }

    /// <summary>Where the PIN comes from, never the PIN.</summary>
    /// <returns>The source.</returns>
    public override string ToString() => Source;

    internal string Read() => _read();
}
