using System;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Scep.Protocol.Server;

/// <summary>
/// Wires the rooms together once, from the host's registrations: the operations of the <see cref="OperationTable"/>, the
/// enrollment rules they share, the challenge chain of each alias. The composition root of the pipeline.
/// </summary>
internal static class ScepPipeline
{
    public static ScepRequestHandler CreateHandler(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<ScepServerOptions>>();
        var authority = services.GetService<IEnrollmentAuthority>() ?? throw Missing(nameof(IEnrollmentAuthority), nameof(ScepServerBuilder.AddEnrollmentAuthority));
        var credentials = services.GetService<IScepCredentialProvider>() ?? throw Missing(nameof(IScepCredentialProvider), nameof(ScepServerBuilder.AddCredentials));
        var entityStore = services.GetService<IEndEntityStore>();
        var time = services.GetRequiredService<TimeProvider>();
        var metrics = services.GetRequiredService<ScepMetrics>();
        ILogger<ScepRequestHandler> logger = services.GetService<ILogger<ScepRequestHandler>>() ?? NullLogger<ScepRequestHandler>.Instance;

        var ledger = new TransactionLedger(services.GetRequiredService<IScepTransactionStore>(), time, options.Value.StaleReservationTimeout);
        var entities = new EndEntityReservations(entityStore, ledger, authority, time);
        var stale = new StaleReservations(ledger, entities, authority);
        var decisions = new DecisionRecorder(ledger, entities);
        var challenges = new ChallengeChain(options.Value, entityStore, services.GetServices<IChallengeValidator>());
        var attempt = new EnrollmentAttempt(challenges, ledger, entities, authority, decisions);
        var answers = new RecordedAnswers(ledger, entities, authority, decisions, attempt);
        var table = new OperationTable(
            [new GetCaCapsOperation(), new GetCaCertOperation(), new GetCaCertChainOperation(), new GetNextCaCertOperation(time)],
            new EnrollOperation(ledger, stale, answers, attempt, new RenewalPolicy(authority)),
            new CertPollOperation(ledger, stale, answers),
            new GetCertOperation(authority),
            new GetCrlOperation(services.GetService<ICrlSource>()));
        var pkiOperation = new PkiOperation(table, credentials, services.GetRequiredService<EnrollmentObservers>(), metrics, time, logger);
        return new ScepRequestHandler(options, credentials, table, pkiOperation, logger, metrics);
    }

    private static InvalidOperationException Missing(string service, string method) =>
        new($"The SCEP server needs an {service}: register one with services.AddScepServer(...).{method}(...).");
}
