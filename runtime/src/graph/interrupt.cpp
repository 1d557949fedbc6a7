#include "graph/interrupt.hpp"

#include <atomic>

namespace evalflow {

namespace {

std::atomic<int> g_signals{0};
std::atomic<int> g_last_signal{0};

extern "C" void count_signal(int signal) {
  g_last_signal.store(signal);
  g_signals.fetch_add(1);
}

}  // namespace

InterruptWatch::InterruptWatch() {
  g_signals.store(0);
  struct sigaction action {};
  action.sa_handler = count_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previous_int_);
  sigaction(SIGTERM, &action, &previous_term_);
}

InterruptWatch::~InterruptWatch() {
  sigaction(SIGINT, &previous_int_, nullptr);
  sigaction(SIGTERM, &previous_term_, nullptr);
}

int InterruptWatch::signals() {
  return g_signals.load();
}

int InterruptWatch::last_signal() {
  return g_last_signal.load();
}

}  // namespace evalflow
