#pragma once

#include <QObject>
#include <QPointer>

#include <utility>

namespace gw {

//! "Call back only if the caller's context object is still alive": the rule every asynchronous
//! accounts operation (vaults, AccountService, MonitorApp) follows for its `context` argument.
//! A null context means "no guard" (the callback always runs); a non-null one that has been
//! destroyed by the time the result arrives means "never run it".
class ContextGuard final
{
public:
    explicit ContextGuard(QObject *context)
        : m_context(context)
        , m_hadContext(context != nullptr)
    {
    }

    [[nodiscard]] bool isAlive() const { return !m_hadContext || !m_context.isNull(); }

private:
    QPointer<QObject> m_context;
    bool m_hadContext;
};

//! `f`, wrapped so that calling it does nothing once `context` (non-null) is gone.
template<typename F>
auto guardedBy(QObject *context, F f)
{
    return [guard = ContextGuard(context), f = std::move(f)](auto &&...args) {
        if (guard.isAlive())
            f(std::forward<decltype(args)>(args)...);
    };
}

} // namespace gw
