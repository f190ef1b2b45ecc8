using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Scep.Protocol.Pkcs11;

/// <summary>
/// The sessions of one token, shared by every key object of it. At most <c>maxSessions</c> are open at once (a caller
/// beyond waits for one); a session that failed with a token or session error is closed, not reused. After such an error
/// the pool forgets the token: the next call finds it again by the URI's token attributes (re-initialising the module when
/// no slot shows it, since some modules list tokens only at C_Initialize), logs in, and starts a new generation, whose
/// number tells key objects to find their object handles again.
/// </summary>
internal sealed class SessionPool : IDisposable
{
    private readonly Pkcs11InteropFactories _factories = new();
    private readonly string _modulePath;
    private readonly Pkcs11Uri _token;
    private readonly Pkcs11Pin _pin;
    private readonly SemaphoreSlim _available;
    private readonly Lock _lock = new();
    private readonly Stack<ISession> _idle = new();
    private IPkcs11Library? _library;
    private int _initialisation;
    private bool _lostToken;
    private ISlot? _slot;
    private int _generation;
    private bool _disposed;

    public SessionPool(string modulePath, Pkcs11Uri token, Pkcs11Pin pin, int maxSessions)
    {
        _modulePath = modulePath;
        _token = token;
        _pin = pin;
        _available = new SemaphoreSlim(maxSessions, maxSessions);
    }

    public Pkcs11InteropFactories Factories => _factories;

    /// <summary>What the token is, for messages: its label and module.</summary>
    public string Description => $"token '{_token.Token ?? "(any)"}' of {_modulePath}";

    /// <summary>Opens the module, finds the token and logs in now: a wrong PIN or a missing token fails here, at start.</summary>
    public void Connect()
    {
        lock (_lock)
        {
            EnsureConnected();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a pooled session (logged in) with the pool's generation. A token or session error
    /// drops the session and the token, and the work runs once more on a fresh connection: a token that came back is used
    /// at once; one that is still gone fails with <see cref="Pkcs11Failure.TokenRemoved"/>.
    /// </summary>
    public T Run<T>(string what, Func<ISession, int, T> work)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return RunOnce(work);
            }
            catch (Pkcs11Exception e) when (Pkcs11Errors.IsGone(e.RV) && attempt == 1)
            {
                // Once more, on a new connection.
            }
            catch (Pkcs11KeyException e) when (e.Failure == Pkcs11Failure.TokenRemoved && attempt == 1)
            {
                // The token was not found at the first attempt's connect; look once more (it may be back).
            }
            catch (Exception e)
            {
                throw Pkcs11Errors.Wrap(e, $"{what} in {Description}");
            }
        }
    }

    private T RunOnce<T>(Func<ISession, int, T> work)
    {
        _available.Wait();
        try
        {
            var (session, generation) = Rent();
            try
            {
                T result;
                using (ModuleRegistry.EnterCall(_modulePath))
                {
                    result = work(session, generation);
                }

                Return(session, generation);
                return result;
            }
            catch (Pkcs11Exception e) when (Pkcs11Errors.IsGone(e.RV))
            {
                Close(session);
                Forget(generation);
                throw;
            }
            catch
            {
                Return(session, generation);
                throw;
            }
        }
        finally
        {
            _available.Release();
        }
    }

    /// <summary>A read-write session outside the pool, for creating objects; closed by the caller.</summary>
    public T RunReadWrite<T>(string what, Func<ISession, T> work)
    {
        try
        {
            ISlot slot;
            lock (_lock)
            {
                slot = EnsureConnected();
            }

            using var call = ModuleRegistry.EnterCall(_modulePath);
            using var session = slot.OpenSession(SessionType.ReadWrite);
            return work(session);
        }
        catch (Exception e)
        {
            if (e is Pkcs11Exception { RV: var rv } && Pkcs11Errors.IsGone(rv))
            {
                Forget(Volatile.Read(ref _generation));
            }

            throw Pkcs11Errors.Wrap(e, $"{what} in {Description}");
        }
    }

    private (ISession Session, int Generation) Rent()
    {
        lock (_lock)
        {
            var slot = EnsureConnected();
            if (_idle.TryPop(out var idle))
            {
                return (idle, _generation);
            }

            return (slot.OpenSession(SessionType.ReadOnly), _generation);
        }
    }

    private void Return(ISession session, int generation)
    {
        lock (_lock)
        {
            if (!_disposed && generation == _generation && _slot is not null)
            {
                _idle.Push(session);
                return;
            }
        }

        Close(session);
    }

    /// <summary>Drops the token of <paramref name="generation"/> (once, whichever caller sees the error first).</summary>
    private void Forget(int generation)
    {
        List<ISession> stale;
        lock (_lock)
        {
            if (generation != _generation)
            {
                return;
            }

            _generation++;
            _slot = null;
            _lostToken = true;
            stale = [.. _idle];
            _idle.Clear();
        }

        foreach (var session in stale)
        {
            Close(session);
        }
    }

    /// <summary>Under the lock: the token's slot, found and logged in to when needed.</summary>
    private ISlot EnsureConnected()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_slot is not null)
        {
            return _slot;
        }

        var reinitialise = _library is not null;
        if (_library is null)
        {
            (_library, _initialisation) = ModuleRegistry.Acquire(_factories, _modulePath);
        }
        else if (_lostToken)
        {
            // After a token error the module's view of the token cannot be trusted (SoftHSM2 keeps failing a token whose
            // files went away and came back until C_Initialize): initialise it anew, once for all its tokens.
            (_library, _initialisation) = ModuleRegistry.Reinitialise(_factories, _modulePath, _initialisation);
        }
        else
        {
            (_library, _initialisation) = ModuleRegistry.Current(_modulePath);
        }

        var slot = FindSlot(_library);
        if (slot is null && reinitialise && !_lostToken)
        {
            // The token may have come back where the module does not look again until it is initialised anew.
            (_library, _initialisation) = ModuleRegistry.Reinitialise(_factories, _modulePath, _initialisation);
            slot = FindSlot(_library);
        }

        if (slot is null)
        {
            var labels = _library.GetSlotList(SlotsType.WithTokenPresent).Select(s => "'" + s.GetTokenInfo().Label.Trim() + "'").ToList();
            throw new Pkcs11KeyException(
                reinitialise ? Pkcs11Failure.TokenRemoved : Pkcs11Failure.TokenNotFound,
                $"No token matching {Matching()} in {_modulePath}; tokens present: {(labels.Count == 0 ? "none" : string.Join(", ", labels))}.");
        }

        // The session that logs in stays open in the pool: closing a token's last session logs the user out (PKCS#11
        // v2.40 §5.6, C_CloseSession).
        var first = slot.OpenSession(SessionType.ReadOnly);
        try
        {
            Login(first);
        }
        catch
        {
            Close(first);
            throw;
        }

        _slot = slot;
        _lostToken = false;
        _generation++;
        _idle.Push(first);
        return slot;
    }

    private void Login(ISession session)
    {
        var pin = _pin.Read();
        try
        {
            session.Login(CKU.CKU_USER, pin);
        }
        catch (Pkcs11Exception e) when (e.RV == CKR.CKR_USER_ALREADY_LOGGED_IN)
        {
            // Login state is per application and token (PKCS#11 v2.40 §5.6): another session logged in already.
        }
        catch (Pkcs11Exception e)
        {
            throw Pkcs11Errors.From(e, $"Logging in to {Description} with the PIN from {_pin.Source}");
        }
    }

    /// <summary>The first slot whose token matches the URI's token, manufacturer, serial and model (RFC 7512 §2.3, §4: every attribute given must match).</summary>
    private ISlot? FindSlot(IPkcs11Library library)
    {
        foreach (var slot in library.GetSlotList(SlotsType.WithTokenPresent))
        {
            var info = slot.GetTokenInfo();
            if (Matches(_token.Token, info.Label) && Matches(_token.Manufacturer, info.ManufacturerId)
                && Matches(_token.Serial, info.SerialNumber) && Matches(_token.Model, info.Model))
            {
                return slot;
            }
        }

        return null;
    }

    // Token info fields are blank-padded (PKCS#11 v2.40 §3.2, CK_TOKEN_INFO): compare without the padding.
    private static bool Matches(string? wanted, string actual) => wanted is null || string.Equals(wanted, actual.TrimEnd(' ', '\0'), StringComparison.Ordinal);

    private string Matching()
    {
        var parts = new List<string>();
        if (_token.Token is { } label)
        {
            parts.Add($"token='{label}'");
        }

        if (_token.Manufacturer is { } manufacturer)
        {
            parts.Add($"manufacturer='{manufacturer}'");
        }

        if (_token.Serial is { } serial)
        {
            parts.Add($"serial='{serial}'");
        }

        if (_token.Model is { } model)
        {
            parts.Add($"model='{model}'");
        }

        return parts.Count == 0 ? "(any token)" : string.Join(" ", parts);
    }

    private void Close(ISession session)
    {
        try
        {
            using var call = ModuleRegistry.EnterCall(_modulePath);
            session.Dispose();
        }
        catch (Exception e) when (e is Pkcs11Exception or ObjectDisposedException or InvalidOperationException)
        {
            // The session died with its token.
        }
    }

    public void Dispose()
    {
        List<ISession> sessions;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            sessions = [.. _idle];
            _idle.Clear();
            _slot = null;
        }

        foreach (var session in sessions)
        {
            Close(session);
        }

        if (_library is not null)
        {
            ModuleRegistry.Release(_modulePath);
        }

        _available.Dispose();
    }
}
