using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.InMemory;

/// <summary>An <see cref="IScepCredentialProvider"/> over fixed credentials; <see cref="Set"/> swaps them (for a rollover) at run time.</summary>
public sealed class InMemoryCredentialProvider : IScepCredentialProvider
{
    private readonly Dictionary<string, ScepCaCredentials> _credentials = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _lock = new();

    /// <summary>An empty provider.</summary>
    public InMemoryCredentialProvider()
    {
    }

    internal InMemoryCredentialProvider(IEnumerable<CredentialRegistration> registrations)
    {
        foreach (var registration in registrations)
        {
            _credentials[registration.CaName] = registration.Credentials;
        }
    }

    /// <summary>Sets the credentials of a CA name.</summary>
    /// <param name="caName">The CA name.</param>
    /// <param name="credentials">The credentials.</param>
    public void Set(string caName, ScepCaCredentials credentials)
    {
        ArgumentException.ThrowIfNullOrEmpty(caName);
        ArgumentNullException.ThrowIfNull(credentials);
        lock (_lock)
        {
            _credentials[caName] = credentials;
        }
    }

    /// <inheritdoc />
    public ValueTask<ScepCaCredentials?> GetCredentialsAsync(string caName, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_credentials.GetValueOrDefault(caName));
        }
    }
}
