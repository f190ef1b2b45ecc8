using System;

namespace Scep.Protocol.Server;

/// <summary>Reads <c>operation</c> and <c>message</c> from a raw query string, keeping <c>message</c> undecoded (RFC 8894 §4.1; reference §2.3).</summary>
internal readonly record struct QueryParameters(string? Operation, string? RawMessage)
{
    public static QueryParameters Parse(string? query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return default;
        }

        var span = query.AsSpan();
        if (span[0] == '?')
        {
            span = span[1..];
        }

        string? operation = null;
        string? message = null;
        foreach (var range in span.Split('&'))
        {
            var pair = span[range];
            var equals = pair.IndexOf('=');
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? ReadOnlySpan<char>.Empty : pair[(equals + 1)..];
            if (operation is null && name.Equals("operation", StringComparison.OrdinalIgnoreCase))
            {
                operation = FormDecode(value);
            }
            else if (message is null && name.Equals("message", StringComparison.OrdinalIgnoreCase))
            {
                message = value.ToString();
            }
        }

        return new QueryParameters(operation, message);
    }

    /// <summary>Decodes a plain value such as an operation name or a CA identifier: '+' is a space, %XX escapes.</summary>
    public static string FormDecode(ReadOnlySpan<char> value)
    {
        var text = value.ToString().Replace('+', ' ');
        try
        {
            return Uri.UnescapeDataString(text).Trim();
        }
        catch (UriFormatException)
        {
            return text.Trim();
        }
    }
}
