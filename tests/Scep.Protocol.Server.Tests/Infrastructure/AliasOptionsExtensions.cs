using System.Linq;

namespace Scep.Protocol.Server.Tests.Infrastructure;

/// <summary>Changes an alias's algorithm lists relative to the defaults (an empty list means the default set).</summary>
internal static class AliasOptionsExtensions
{
    public static ScepAliasOptions AllowAlso(this ScepAliasOptions options, ContentEncryptionAlgorithm algorithm)
    {
        Materialize(options);
        options.EncryptionAlgorithms.Add(algorithm);
        return options;
    }

    public static ScepAliasOptions AllowAlso(this ScepAliasOptions options, ScepDigest digest)
    {
        Materialize(options);
        options.DigestAlgorithms.Add(digest);
        return options;
    }

    public static ScepAliasOptions Disallow(this ScepAliasOptions options, ContentEncryptionAlgorithm algorithm)
    {
        Materialize(options);
        options.EncryptionAlgorithms.Remove(algorithm);
        return options;
    }

    public static ScepAliasOptions Disallow(this ScepAliasOptions options, ScepDigest digest)
    {
        Materialize(options);
        options.DigestAlgorithms.Remove(digest);
        return options;
    }

    private static void Materialize(ScepAliasOptions options)
    {
        if (options.EncryptionAlgorithms.Count == 0)
        {
            foreach (var algorithm in ScepAliasOptions.DefaultEncryptionAlgorithms)
            {
                options.EncryptionAlgorithms.Add(algorithm);
            }
        }

        if (options.DigestAlgorithms.Count == 0)
        {
            foreach (var digest in ScepAliasOptions.DefaultDigestAlgorithms.ToList())
            {
                options.DigestAlgorithms.Add(digest);
            }
        }
    }
}
