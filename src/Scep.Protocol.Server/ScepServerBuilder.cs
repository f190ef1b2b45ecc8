using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Scep.Protocol.Server.InMemory;

namespace Scep.Protocol.Server;

/// <summary>
/// Registers the host's implementations with the SCEP pipeline. Each <c>Add...</c> replaces an earlier
/// registration of the same role, so calling one twice is harmless; a type that plays several roles
/// (an authority that is also the CRL source) is one instance.
/// </summary>
public sealed class ScepServerBuilder
{
    internal ScepServerBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Registers the certificate authority.</summary>
    /// <typeparam name="T">The implementation, created once.</typeparam>
    /// <returns>This builder.</returns>
    public ScepServerBuilder AddEnrollmentAuthority<T>()
        where T : class, IEnrollmentAuthority => Register<IEnrollmentAuthority, T>();

    /// <summary>Registers an existing certificate authority instance.</summary>
    /// <param name="authority">The authority.</param>
    /// <returns>This builder.</returns>
    public ScepServerBuilder AddEnrollmentAuthority(IEnrollmentAuthority authority) => Register(authority);

    /// <summary>Registers the end entity store (needed by CA-mode aliases).</summary>
    /// <typeparam name="T">The implementation, created once.</typeparam>
    /// <returns>This builder.</returns>
    public ScepServerBuilder AddEndEntityStore<T>()
        where T : class, IEndEntityStore => Register<IEndEntityStore, T>();

    /// <summary>Registers an existing end entity store.</summary>
    /// <param name="store">The store.</param>
    /// <returns>This builder.</returns>
    public ScepServerBuilder AddEndEntityStore(IEndEntityStore store) => Register(store);

    /// <summary>Registers the CRL source (without one, GetCRL answers FAILURE badRequest).</summary>
    /// <typeparam name="T">The implementation, created once.</typeparam>
    /// <returns>This builder.</returns>
    public ScepServerBuilder AddCrlSource<T>()
        where T : class, ICrlSource => Register<ICrlSource, T>();

    /// <summary>Registers an existing CRL source.</summary>
    /// <param name="source">The source.</param>
    /// <returns>This builder.</returns>
    public ScepServerBuilder AddCrlSource(ICrlSource source) => Register(source);

    /// <summary>Registers the provider of CA credentials.</summary>
    /// <typeparam name="T">The implementation, created once.</typeparam>
    /// <returns>This builder.</returns>
    public ScepServerBuilder AddCredentialProvider<T>()
        where T : class, IScepCredentialProvider => Register<IScepCredentialProvider, T>();

    /// <summary>Registers an existing credential provider.</summary>
    /// <param name="provider">The provider.</param>
    /// <returns>This builder.</returns>
    public ScepServerBuilder AddCredentialProvider(IScepCredentialProvider provider) => Register(provider);

    /// <summary>Registers fixed credentials for a CA name (kept in an <see cref="InMemoryCredentialProvider"/>).</summary>
    /// <param name="caName">The name aliases refer to in <see cref="ScepAliasOptions.CaName"/>.</param>
    /// <param name="credentials">The credentials.</param>
    /// <returns>This builder.</returns>
    public ScepServerBuilder AddCredentials(string caName, ScepCaCredentials credentials)
    {
        ArgumentException.ThrowIfNullOrEmpty(caName);
        ArgumentNullException.ThrowIfNull(credentials);
        Services.TryAddSingleton(sp => new InMemoryCredentialProvider(sp.GetServices<CredentialRegistration>()));
        Services.Replace(ServiceDescriptor.Singleton<IScepCredentialProvider>(sp => sp.GetRequiredService<InMemoryCredentialProvider>()));
        Services.AddSingleton(new CredentialRegistration(caName, credentials));
        return this;
    }

    /// <summary>Registers the transaction store (the default keeps transactions in memory, which suits one instance).</summary>
    /// <typeparam name="T">The implementation, created once.</typeparam>
    /// <returns>This builder.</returns>
    public ScepServerBuilder AddTransactionStore<T>()
        where T : class, IScepTransactionStore => Register<IScepTransactionStore, T>();

    /// <summary>Registers an existing transaction store.</summary>
    /// <param name="store">The store.</param>
    /// <returns>This builder.</returns>
    public ScepServerBuilder AddTransactionStore(IScepTransactionStore store) => Register(store);

    /// <summary>Registers the challenge validator for RA-mode aliases.</summary>
    /// <typeparam name="T">The implementation, created once.</typeparam>
    /// <returns>This builder.</returns>
    public ScepServerBuilder AddChallengeValidator<T>()
        where T : class, IChallengeValidator => Register<IChallengeValidator, T>();

    /// <summary>Registers a challenge check made from a function (an MDM's dynamic challenge, for instance).</summary>
    /// <param name="validate">Returns true to accept the request.</param>
    /// <returns>This builder.</returns>
    public ScepServerBuilder AddChallengeValidator(Func<ChallengeValidationContext, CancellationToken, ValueTask<bool>> validate) =>
        Register<IChallengeValidator>(new DelegateChallengeValidator(validate));

    private ScepServerBuilder Register<TService, TImplementation>()
        where TService : class
        where TImplementation : class, TService
    {
        Services.TryAddSingleton<TImplementation>();
        Services.Replace(ServiceDescriptor.Singleton<TService>(sp => sp.GetRequiredService<TImplementation>()));
        return this;
    }

    private ScepServerBuilder Register<TService>(TService instance)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(instance);
        Services.Replace(ServiceDescriptor.Singleton(instance));
        return this;
    }
}

/// <summary>Credentials registered with <see cref="ScepServerBuilder.AddCredentials"/>.</summary>
internal sealed record CredentialRegistration(string CaName, ScepCaCredentials Credentials);
