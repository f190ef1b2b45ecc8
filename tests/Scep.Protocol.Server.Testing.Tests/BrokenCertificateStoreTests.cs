using System;
using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Server.Testing.Tests.Infrastructure;

namespace Scep.Protocol.Server.Testing.Tests;

/// <summary>Certificate stores that break one rule fail the check named for it, saying what was expected and what was found.</summary>
public class BrokenCertificateStoreTests
{
    /// <summary>Hands out every CRL number twice (a counter read and written in two steps, the race made certain).</summary>
    private sealed class ReusedCrlNumberStore : DelegatingCertificateStore
    {
        private long _calls;

        public override ValueTask<(long Number, long Revision)> NextCrlNumberAsync(string issuerId, CancellationToken cancellationToken) =>
            ValueTask.FromResult((Interlocked.Increment(ref _calls) / 2, 0L));
    }

    /// <summary>Records the certificate and marks the request in two steps, and does not undo the first when the second fails.</summary>
    private sealed class TwoStepApprovalStore : DelegatingCertificateStore
    {
        public override async ValueTask<bool> TryApproveAsync(string id, IssuedCertificateRecord certificate, DateTimeOffset at, CancellationToken cancellationToken)
        {
            var approved = await Inner.TryApproveAsync(id, certificate, at, cancellationToken);
            if (!approved)
            {
                await Inner.TryAddAsync(certificate, cancellationToken);
            }

            return approved;
        }
    }

    /// <summary>Keeps whatever CRL came last.</summary>
    private sealed class LastCrlWinsStore : DelegatingCertificateStore
    {
        private readonly Dictionary<string, StoredCrl> _crls = [];

        public override ValueTask StoreCrlAsync(StoredCrl crl, CancellationToken cancellationToken)
        {
            lock (_crls)
            {
                _crls[crl.IssuerId] = crl;
            }

            return ValueTask.CompletedTask;
        }

        public override ValueTask<StoredCrl?> GetCrlAsync(string issuerId, CancellationToken cancellationToken)
        {
            lock (_crls)
            {
                return ValueTask.FromResult(_crls.GetValueOrDefault(issuerId));
            }
        }
    }

    /// <summary>A second revocation overwrites the first one's date and reason.</summary>
    private sealed class RevocationOverwritingStore : DelegatingCertificateStore
    {
        private readonly Dictionary<string, (DateTimeOffset At, X509RevocationReason? Reason)> _latest = [];

        public override async ValueTask<(RevocationResult Result, IssuedCertificateRecord? Certificate)> RevokeAsync(string serialNumber, X509RevocationReason? reason, DateTimeOffset at, CancellationToken cancellationToken)
        {
            var (result, record) = await Inner.RevokeAsync(serialNumber, reason, at, cancellationToken);
            if (result == RevocationResult.AlreadyRevoked)
            {
                _latest[serialNumber] = (at, reason);
                record = record! with { RevokedAt = at, RevocationReason = reason };
            }

            return (result, record);
        }

        public override async ValueTask<IssuedCertificateRecord?> FindAsync(string serialNumber, CancellationToken cancellationToken)
        {
            var record = await Inner.FindAsync(serialNumber, cancellationToken);
            return record is not null && _latest.TryGetValue(serialNumber, out var latest) ? record with { RevokedAt = latest.At, RevocationReason = latest.Reason } : record;
        }
    }

    /// <summary>"Since" taken as "after": a certificate recorded at the moment the reservation started is missed.</summary>
    private sealed class ExclusiveSinceStore : DelegatingCertificateStore
    {
        public override ValueTask<IssuedCertificateRecord?> FindLatestForUserAsync(string username, DateTimeOffset since, CancellationToken cancellationToken) =>
            Inner.FindLatestForUserAsync(username, since.AddTicks(1), cancellationToken);
    }

    private static ContractOver Over(Func<ICertificateStore> create) => new(() => Stores.With(certificates: create()));

    [Test]
    public async Task ReusedCrlNumbers_FailTheConcurrencyCheck()
    {
        var failure = await Over(() => new ReusedCrlNumberStore()).FailsAsync("Crls_FiftyConcurrentNextCrlNumbers_AreDistinct");

        failure.Expected.Should().Be("50 concurrent NextCrlNumberAsync to return 50 distinct numbers");
        failure.Found.Should().StartWith("25 distinct: 1, 1, 2, 2, 3, 3,");
    }

    [Test]
    public async Task ReusedCrlNumbers_FailTheMonotonicCheck()
    {
        var failure = await Over(() => new ReusedCrlNumberStore()).FailsAsync("Crls_NextCrlNumber_IsMonotonicAndCarriesTheRevision");

        failure.Expected.Should().Be("after a revocation, a CRL number greater than 1 with revision 1");
        failure.Found.Should().Be("number 1, revision 0");
    }

    [Test]
    public async Task ApprovalInTwoSteps_RecordsTheCertificateOfARefusedApproval()
    {
        var failure = await Over(() => new TwoStepApprovalStore()).FailsAsync("Approvals_TryApprove_RecordsTheCertificateAndDecidesOnce");

        failure.Expected.Should().Be("the certificate of a refused approval not recorded");
        failure.Found.Should().StartWith("certificate 7A");
    }

    [Test]
    public async Task ApprovalInTwoSteps_FailsTheConcurrentApprovalCheck()
    {
        var failure = await Over(() => new TwoStepApprovalStore()).FailsAsync("Approvals_FiftyConcurrentApprovals_ExactlyOneWinsAndOneCertificateIsRecorded");

        failure.Expected.Should().StartWith("exactly one certificate recorded, the winner's");
        failure.Found.Split(", ").Should().HaveCount(50, "every approval recorded its certificate");
    }

    [Test]
    public async Task LowerCrlReplacingAHigherOne_FailsTheStoreCrlCheck()
    {
        var failure = await Over(() => new LastCrlWinsStore()).FailsAsync("Crls_StoreCrl_KeepsTheHighestNumberPerIssuer");

        failure.Expected.Should().Be("CRL 5 kept when CRL 3 is stored after it (a lower number does not replace a higher one)");
        failure.Found.Should().StartWith("Number 3 instead of 5; Revision 1 instead of 2;");
    }

    [Test]
    public async Task SecondRevocationOverwritingTheFirst_FailsTheRevocationCheck()
    {
        var failure = await Over(() => new RevocationOverwritingStore()).FailsAsync("Certificates_Revoke_RevokesOnceKeepsTheFirstDateAndRaisesTheRevision");

        failure.Expected.Should().Be("the second RevokeAsync to return the record with the first revocation's date and reason");
        failure.Found.Should().Be("RevokedAt 2026-06-03T12:00:00.0000000+00:00 instead of 2026-06-02T12:00:00.0000000+00:00; RevocationReason Superseded instead of KeyCompromise");
    }

    [Test]
    public async Task SinceTakenAsAfter_FailsTheLatestForUserCheck()
    {
        var failure = await Over(() => new ExclusiveSinceStore()).FailsAsync("Certificates_FindLatestForUser_ReturnsTheLatestAtOrAfterSince");

        failure.Expected.Should().StartWith("FindLatestForUserAsync(\"device-1\", 2026-06-01T12:20:00.0000000+00:00) to return the latest certificate at or after that time");
        failure.Found.Should().Be("null");
    }
}
