using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
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

    /// <summary>
    /// Adds a challenge validator: every alias runs its built-in validator and then each added one, in the order they
    /// were added (<see cref="ChallengeValidators.AllOf"/>). Adding the same type twice adds it once.
    /// </summary>
    /// <typeparam name="T">The implementation, created once.</typeparam>
    /// <returns>This builder.</returns>
    public ScepServerBuilder AddChallengeValidator<T>()
        where T : class, IChallengeValidator
    {
        Services.TryAddSingleton<T>();
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IChallengeValidator, ChallengeValidatorRegistration<T>>());
        return this;
    }

    /// <summary>Adds an existing challenge validator (see <see cref="AddChallengeValidator{T}()"/>).</summary>
    /// <param name="validator">The validator.</param>
    /// <returns>This builder.</returns>
    public ScepServerBuilder AddChallengeValidator(IChallengeValidator validator)
    {
        ArgumentNullException.ThrowIfNull(validator);
        Services.AddSingleton(validator);
        return this;
    }

    /// <summary>Adds a challenge check made from a function that decides (allow, deny, pending, abstain).</summary>
    /// <param name="validate">The check.</param>
    /// <returns>This builder.</returns>
    public ScepServerBuilder AddChallengeValidator(Func<ChallengeValidationContext, CancellationToken, ValueTask<ChallengeDecision>> validate) =>
        AddChallengeValidator(ChallengeValidators.FromFunction(validate));

    /// <summary>Adds a yes/no challenge check made from a function (true allows; false denies with <see cref="ChallengeDecision.InvalidChallengeReason"/>).</summary>
    /// <param name="validate">Returns true to accept the request.</param>
    /// <returns>This builder.</returns>
    public ScepServerBuilder AddChallengeValidator(Func<ChallengeValidationContext, CancellationToken, ValueTask<bool>> validate) =>
        AddChallengeValidator(ChallengeValidators.FromPredicate(validate));

    /// <summary>
    /// Registers <see cref="IssuingAuthority"/> as the certificate authority and CRL source: it issues with the
    /// <see cref="ScepCaCredentials.CaKey"/> of the credentials and keeps what it issues in the registered
    /// <see cref="ICertificateStore"/> (in memory unless a store package registers one).
    /// </summary>
    /// <param name="configure">Profiles, approval aliases, CRL validity; null for the defaults.</param>
    /// <returns>This builder.</returns>
    public ScepServerBuilder AddIssuingAuthority(Action<IssuingAuthorityOptions>? configure = null)
    {
        var options = Services.AddOptions<IssuingAuthorityOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.ApprovalAliases is not null, "IssuingAuthorityOptions.ApprovalAliases is null.").ValidateOnStart();
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IssuingAuthorityOptions>, IssuingAuthorityOptionsValidator>());
        Services.TryAddSingleton<ICertificateStore, InMemoryCertificateStore>();
        Services.TryAddSingleton(sp => new IssuingAuthority(
            sp.GetRequiredService<IScepCredentialProvider>(),
            sp.GetRequiredService<ICertificateStore>(),
            sp.GetRequiredService<IOptions<IssuingAuthorityOptions>>(),
            sp.GetRequiredService<IOptions<ScepServerOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<EnrollmentObservers>()));
        Services.Replace(ServiceDescriptor.Singleton<IEnrollmentAuthority>(sp => sp.GetRequiredService<IssuingAuthority>()));
        Services.Replace(ServiceDescriptor.Singleton<ICrlSource>(sp => sp.GetRequiredService<IssuingAuthority>()));
        return this;
    }

    /// <summary>Registers the store of issued certificates, revocations, CRLs and approvals (<see cref="AddIssuingAuthority"/> keeps them in memory otherwise).</summary>
    /// <typeparam name="T">The implementation, created once.</typeparam>
    /// <returns>This builder.</returns>
    public ScepServerBuilder AddCertificateStore<T>()
        where T : class, ICertificateStore => Register<ICertificateStore, T>();

    /// <summary>Registers an existing store of issued certificates, revocations, CRLs and approvals.</summary>
    /// <param name="store">The store.</param>
    /// <returns>This builder.</returns>
    public ScepServerBuilder AddCertificateStore(ICertificateStore store) => Register(store);

    /// <summary>Adds an enrollment observer (several may be added; adding the same type twice adds it once).</summary>
    /// <typeparam name="T">The implementation, created once.</typeparam>
    /// <returns>This builder.</returns>
    public ScepServerBuilder AddEnrollmentObserver<T>()
        where T : class, IEnrollmentObserver
    {
        Services.TryAddSingleton<T>();
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IEnrollmentObserver, EnrollmentObserverRegistration<T>>());
        return this;
    }

    /// <summary>Adds an existing enrollment observer.</summary>
    /// <param name="observer">The observer.</param>
    /// <returns>This builder.</returns>
    public ScepServerBuilder AddEnrollmentObserver(IEnrollmentObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        Services.AddSingleton(observer);
        return this;
    }

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

/// <summary>One instance of <typeparamref name="T"/> as a validator, also when <typeparamref name="T"/> plays other roles.</summary>
internal sealed class ChallengeValidatorRegistration<T>(T validator) : IChallengeValidator
    where T : class, IChallengeValidator
{
    public ValueTask<ChallengeDecision> ValidateAsync(ChallengeValidationContext context, CancellationToken cancellationToken) => validator.ValidateAsync(context, cancellationToken);
}

/// <summary>One instance of <typeparamref name="T"/> as an observer, also when <typeparamref name="T"/> plays other roles.</summary>
internal sealed class EnrollmentObserverRegistration<T>(T observer) : IEnrollmentObserver
    where T : class, IEnrollmentObserver
{
    public ValueTask OnEventAsync(EnrollmentEvent enrollmentEvent, CancellationToken cancellationToken) => observer.OnEventAsync(enrollmentEvent, cancellationToken);
}
