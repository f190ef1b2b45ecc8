using System;
using System.Collections.Generic;
using System.Text;

namespace Scep.Protocol.Pkcs11;

/// <summary>
/// An RFC 7512 <c>pkcs11:</c> URI naming a token and an object in it, e.g.
/// <c>pkcs11:token=scep;object=ca-key;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so&amp;pin-source=file:/run/secrets/pin</c>.
/// </summary>
/// <remarks>
/// Immutable. <see cref="ToString"/> leaves out <c>pin-value</c>, so a URI can be logged.
/// </remarks>
public sealed class Pkcs11Uri
{
    private const string Scheme = "pkcs11:";

    // RFC 7512 §2.3: the path attributes (pk11-pattr) and query attributes (pk11-qattr) of the grammar.
    private static readonly HashSet<string> PathAttributes = new(StringComparer.Ordinal)
    {
        "token", "manufacturer", "serial", "model", "library-manufacturer", "library-description", "library-version",
        "object", "type", "id", "slot-manufacturer", "slot-description", "slot-id",
    };

    private static readonly HashSet<string> QueryAttributes = new(StringComparer.Ordinal) { "pin-source", "pin-value", "module-name", "module-path" };

    private readonly Dictionary<string, byte[]> _path;
    private readonly Dictionary<string, byte[]> _query;

    private Pkcs11Uri(Dictionary<string, byte[]> path, Dictionary<string, byte[]> query)
    {
        _path = path;
        _query = query;
    }

    /// <summary>The token label (<c>token</c>), or null to match any token.</summary>
    public string? Token => Text(_path, "token");

    /// <summary>The token manufacturer (<c>manufacturer</c>), or null.</summary>
    public string? Manufacturer => Text(_path, "manufacturer");

    /// <summary>The token serial number (<c>serial</c>), or null.</summary>
    public string? Serial => Text(_path, "serial");

    /// <summary>The token model (<c>model</c>), or null.</summary>
    public string? Model => Text(_path, "model");

    /// <summary>The object label, CKA_LABEL (<c>object</c>), or null.</summary>
    public string? Object => Text(_path, "object");

    /// <summary>The object id, CKA_ID (<c>id</c>, percent-encoded bytes), or null.</summary>
    public ReadOnlyMemory<byte>? Id => _path.TryGetValue("id", out var id) ? new ReadOnlyMemory<byte>(id) : (ReadOnlyMemory<byte>?)null;

    /// <summary>The object class (<c>type</c>): <c>private</c>, <c>public</c>, <c>cert</c>, <c>secret-key</c> or <c>data</c>; null for any.</summary>
    public string? Type => Text(_path, "type");

    /// <summary>The module to load (<c>module-path</c>), or null.</summary>
    public string? ModulePath => Text(_query, "module-path");

    /// <summary>Where the PIN is (<c>pin-source</c>): a path, or <c>file:</c> and a path; null when not given.</summary>
    public string? PinSource => Text(_query, "pin-source");

    /// <summary>Whether the URI carries the PIN itself (<c>pin-value</c>): possible, and unwise, RFC 7512 §7.</summary>
    public bool HasPinValue => _query.ContainsKey("pin-value");

    /// <summary>The PIN of <c>pin-value</c>, for <see cref="Pkcs11Pin.FromUri"/>.</summary>
    internal string? PinValue => Text(_query, "pin-value");

    /// <summary>Parses a <c>pkcs11:</c> URI.</summary>
    /// <param name="uri">The URI.</param>
    /// <returns>The URI's attributes.</returns>
    /// <exception cref="FormatException">It is not a PKCS#11 URI: the message says which part is wrong.</exception>
    public static Pkcs11Uri Parse(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        // RFC 7512 §2.3: the scheme name is case-insensitive, like every URI scheme (RFC 3986 §3.1).
        if (!uri.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException("A PKCS#11 URI starts with 'pkcs11:' (RFC 7512).");
        }

        var rest = uri[Scheme.Length..];
        if (rest.Contains('#', StringComparison.Ordinal))
        {
            // RFC 7512 §2.3: the grammar has no fragment.
            throw new FormatException("A PKCS#11 URI has no fragment ('#').");
        }

        var question = rest.IndexOf('?', StringComparison.Ordinal);
        var pathPart = question < 0 ? rest : rest[..question];
        var queryPart = question < 0 ? string.Empty : rest[(question + 1)..];
        // RFC 7512 §2.3: path attributes are separated by ';', query attributes by '&'.
        var path = Attributes(pathPart, ';', PathAttributes, "path");
        var query = Attributes(queryPart, '&', QueryAttributes, "query");
        if (path.TryGetValue("type", out var type) && Encoding.UTF8.GetString(type) is not ("private" or "public" or "cert" or "secret-key" or "data"))
        {
            // RFC 7512 §2.3: pk11-type = "public" / "private" / "cert" / "secret-key" / "data".
            throw new FormatException($"The PKCS#11 URI's type '{Encoding.UTF8.GetString(type)}' is not one of private, public, cert, secret-key, data.");
        }

        return new Pkcs11Uri(path, query);
    }

    /// <summary>The same URI with another object label (and no id): how a host names the keys beside one it was given.</summary>
    /// <param name="label">The object label.</param>
    /// <returns>The URI.</returns>
    public Pkcs11Uri WithObject(string label)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        var path = new Dictionary<string, byte[]>(_path, StringComparer.Ordinal) { ["object"] = Encoding.UTF8.GetBytes(label) };
        path.Remove("id");
        return new Pkcs11Uri(path, _query);
    }

    /// <summary>The same URI with this object id (CKA_ID), its label kept: how a key's public half is found beside it.</summary>
    internal Pkcs11Uri WithId(byte[] id)
    {
        var path = new Dictionary<string, byte[]>(_path, StringComparer.Ordinal) { ["id"] = id };
        return new Pkcs11Uri(path, _query);
    }

    /// <summary>The URI, percent-encoded, without <c>pin-value</c>.</summary>
    /// <returns>The URI text.</returns>
    public override string ToString()
    {
        var text = new StringBuilder(Scheme);
        Append(text, _path, ';', null);
        var query = new StringBuilder();
        Append(query, _query, '&', "pin-value");
        if (query.Length > 0)
        {
            text.Append('?').Append(query);
        }

        return text.ToString();
    }

    private static Dictionary<string, byte[]> Attributes(string part, char separator, HashSet<string> known, string kind)
    {
        var attributes = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (part.Length == 0)
        {
            return attributes;
        }

        foreach (var attribute in part.Split(separator))
        {
            var equals = attribute.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"The PKCS#11 URI's {kind} attribute '{attribute}' is not name=value.");
            }

            var name = attribute[..equals];
            // RFC 7512 §2.3: vendor-specific attributes start with "x-"; any other name must be one the RFC defines,
            // so that a misspelt attribute cannot silently match every object.
            if (!known.Contains(name) && !name.StartsWith("x-", StringComparison.Ordinal))
            {
                throw new FormatException($"The PKCS#11 URI has an unknown {kind} attribute '{name}' (RFC 7512 §2.3).");
            }

            // RFC 7512 §2.3: an attribute must not appear more than once.
            if (!attributes.TryAdd(name, PercentDecode(attribute[(equals + 1)..], name)))
            {
                throw new FormatException($"The PKCS#11 URI names '{name}' twice.");
            }
        }

        return attributes;
    }

    /// <summary>RFC 7512 §2.3 (pk11-pchar, pct-encoded of RFC 3986 §2.1): '%' and two hex digits stand for a byte.</summary>
    private static byte[] PercentDecode(string value, string name)
    {
        var bytes = new List<byte>(value.Length);
        var literal = 0;
        for (var i = 0; i <= value.Length; i++)
        {
            if (i < value.Length && value[i] != '%')
            {
                continue;
            }

            bytes.AddRange(Encoding.UTF8.GetBytes(value[literal..i]));
            if (i == value.Length)
            {
                break;
            }

            if (i + 2 >= value.Length || !Uri.IsHexDigit(value[i + 1]) || !Uri.IsHexDigit(value[i + 2]))
            {
                throw new FormatException($"The PKCS#11 URI's '{name}' has a '%' that is not followed by two hex digits.");
            }

            bytes.Add(Convert.ToByte(value.Substring(i + 1, 2), 16));
            i += 2;
            literal = i + 1;
        }

        return [.. bytes];
    }

    private static string? Text(Dictionary<string, byte[]> attributes, string name) =>
        attributes.TryGetValue(name, out var value) ? Encoding.UTF8.GetString(value) : null;

    private static void Append(StringBuilder text, Dictionary<string, byte[]> attributes, char separator, string? leaveOut)
    {
        var first = true;
        foreach (var (name, value) in attributes)
        {
            if (name == leaveOut)
            {
                continue;
            }

            if (!first)
            {
                text.Append(separator);
            }

            first = false;
            text.Append(name).Append('=');
            foreach (var b in value)
            {
                // Unreserved characters and a few pchar ones stay; everything else is percent-encoded.
                if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~' or (byte)'/' or (byte)':')
                {
                    text.Append((char)b);
                }
                else
                {
                    text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }
    }
}
